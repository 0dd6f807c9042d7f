"""The two app tiers: extended (everything) and development (403s, stripped fields)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import DEV_ALBUM_STRIPPED, DEV_TRACK_STRIPPED, api, session


@pytest.fixture
def dev(make_emulator: Any) -> EmulatorServer:
    return make_emulator(profile="development", new_releases=20)


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_dev_forbids_batch_endpoints(dev: EmulatorServer) -> None:
    s = session(dev)
    ids = dev.backend.catalog.new_release_ids
    for resp in (
        api(dev, s, "/browse/new-releases"),
        api(dev, s, "/albums", ids=",".join(ids[:3])),
        s.get(f"{dev.api_url}/albums/?ids={ids[0]}", timeout=5),
    ):
        assert resp.status_code == 403
        assert resp.json() == {"error": {"status": 403, "message": "Forbidden"}}
    counts = dev.backend.stats()["counts"]
    assert counts["new_releases"] == 1 and counts["several_albums"] == 2


#: Batch endpoints removed for Development Mode apps (Feb 2026 migration guide).
OTHER_BATCH = (
    "/tracks",
    "/artists",
    "/audio-features",
    "/episodes",
    "/shows",
    "/audiobooks",
    "/chapters",
)


@pytest.mark.parametrize("path", OTHER_BATCH)
def test_dev_forbids_the_other_batch_endpoints(dev: EmulatorServer, path: str) -> None:
    s = session(dev)
    ids = "4iV5W9uYEdYUVa79Axb7Rh,1301WleyT98MSxVHPZCA6M"
    for url in (f"{dev.api_url}{path}?ids={ids}", f"{dev.api_url}{path}/?ids={ids}"):
        resp = s.get(url, timeout=5)
        assert resp.status_code == 403
        assert resp.json() == {"error": {"status": 403, "message": "Forbidden"}}
    assert requests.get(f"{dev.api_url}{path}?ids={ids}", timeout=5).status_code == 401


@pytest.mark.parametrize("path", OTHER_BATCH)
def test_extended_does_not_emulate_the_other_batch_endpoints(
    emulator: EmulatorServer, path: str
) -> None:
    resp = session(emulator).get(f"{emulator.api_url}{path}?ids=4iV5W9uYEdYUVa79Axb7Rh", timeout=5)
    assert resp.status_code == 404
    assert resp.json() == {"error": {"status": 404, "message": "Service not found"}}


def test_dev_strips_fields_everywhere(dev: EmulatorServer) -> None:
    s = session(dev)
    bodies = []
    for album_id in dev.backend.catalog.new_release_ids:
        if not dev.backend.catalog.albums[album_id].available:
            continue
        bodies.append(api(dev, s, f"/albums/{album_id}").json())
        bodies.append(api(dev, s, f"/albums/{album_id}", market="ES").json())
        bodies.append(api(dev, s, f"/albums/{album_id}/tracks", market="ES", limit=50).json())
        bodies.append(api(dev, s, f"/albums/{album_id}/tracks").json())
    bodies.append(api(dev, s, "/search", q="tag:new", type="album", limit=10).json())
    albums = tracks = 0
    for obj in _walk(bodies):
        if obj.get("type") == "album":
            albums += 1
            assert not DEV_ALBUM_STRIPPED & set(obj)
            if "tracks" in obj:
                assert "external_ids" in obj  # restored March 2026
        if obj.get("type") == "track" and "duration_ms" in obj:
            tracks += 1
            assert not DEV_TRACK_STRIPPED & set(obj)
    assert albums > 20 and tracks > 100


def test_dev_album_and_tracks_still_work(dev: EmulatorServer) -> None:
    s = session(dev)
    album = next(a for a in dev.backend.catalog.new_releases if a.total_tracks == 120)
    assert api(dev, s, f"/albums/{album.id}").json()["total_tracks"] == 120
    page = api(dev, s, f"/albums/{album.id}/tracks", limit=50, offset=100).json()
    assert len(page["items"]) == 20


def test_extended_keeps_fields(emulator: EmulatorServer) -> None:
    s = session(emulator)
    album_id = emulator.backend.catalog.new_release_ids[0]
    body = api(emulator, s, "/albums", ids=album_id).json()["albums"][0]
    assert {"available_markets", "label", "popularity"} <= set(body)
    assert "available_markets" in body["tracks"]["items"][0]


def test_switch_profile_at_runtime(emulator: EmulatorServer) -> None:
    s = session(emulator)
    emulator.backend.set_profile("development")
    assert api(emulator, s, "/browse/new-releases").status_code == 403
    emulator.backend.set_profile("extended")
    assert api(emulator, s, "/browse/new-releases").status_code == 200


def test_forbid_and_allow_single_endpoints(emulator: EmulatorServer) -> None:
    s = session(emulator)
    album = emulator.backend.catalog.new_release_ids[0]
    emulator.backend.forbid("several_albums")
    assert api(emulator, s, "/albums", ids=album).status_code == 403
    assert api(emulator, s, "/browse/new-releases").status_code == 200
    emulator.backend.allow("several_albums")
    assert api(emulator, s, "/albums", ids=album).status_code == 200
    with pytest.raises(ValueError):
        emulator.backend.forbid("nope")
