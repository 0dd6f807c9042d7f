"""The Meltano examples of the README, run as documented: stream selection, stream
maps, schema flattening; each checked on what target-jsonl wrote."""

from __future__ import annotations

import hashlib
import json

from spotify_emulator import EmulatorServer
from tests.meltano.helpers import (
    Meltano,
    assert_exactly,
    expected_from,
    read_jsonl,
    tap_env,
)


def run_jsonl(project: Meltano, emu: EmulatorServer) -> dict:
    project("run", "tap-spotify", "target-jsonl", env=tap_env(emu))
    return read_jsonl(project.root / "output")


def test_select_only_new_releases(project: Meltano, spotify: EmulatorServer):
    project("select", "tap-spotify", "--clear")
    project("select", "tap-spotify", "new_releases", "*")
    tap = project.yaml()["plugins"]["extractors"][0]
    assert tap["select"] == ["new_releases.*"]
    listed = project("select", "tap-spotify", "--list", env=tap_env(spotify)).stdout
    assert "[automatic  ] new_releases.id" in listed
    assert "albums." not in listed and "album_tracks." not in listed

    spotify.backend.reset_stats()
    records = run_jsonl(project, spotify)

    assert {r["id"] for r in records["new_releases"]} == set(spotify.backend.catalog
                                                              .new_release_ids)
    assert records["albums"] == [] and records["album_tracks"] == []
    assert not (project.root / "output" / "albums.jsonl").exists()
    # Deselected children cost nothing: the tap fetched no album and no track page.
    counts = spotify.backend.stats()["counts"]
    assert counts.get("several_albums", 0) == 0
    assert counts.get("album", 0) == 0
    assert counts.get("album_tracks", 0) == 0


def test_stream_maps_drop_hash_and_filter(project: Meltano, spotify: EmulatorServer):
    # "__NULL__", not null: Meltano drops null values from a plugin's config, so a
    # `null` here would never reach the tap (the SDK accepts both).
    stream_maps = {
        "new_releases": {"__filter__": "album_type != 'single'"},
        "album_tracks": {"available_markets": "__NULL__", "name": "md5(name)"},
    }
    project("config", "set", "tap-spotify", "stream_maps", json.dumps(stream_maps))

    records = run_jsonl(project, spotify)

    catalog = spotify.backend.catalog
    kept = [a.id for a in catalog.new_releases if a.album_type != "single"]
    assert 0 < len(kept) < len(catalog.new_release_ids)
    expected = expected_from(spotify, kept)
    # Filtering the parent skips its albums and tracks too.
    assert_exactly(records, expected)
    tracks = records["album_tracks"]
    assert all("available_markets" not in t for t in tracks)
    assert all("available_markets" in a for a in records["albums"])  # other streams keep it
    for track in tracks:
        original = expected.track_names[track["id"]]
        assert track["name"] == hashlib.md5(original.encode()).hexdigest()


def test_flattening(project: Meltano, spotify: EmulatorServer):
    project("config", "set", "tap-spotify", "flattening_enabled", "true")
    project("config", "set", "tap-spotify", "flattening_max_depth", "1")

    records = run_jsonl(project, spotify)

    assert_exactly(records, expected_from(spotify))
    album = records["albums"][0]
    assert "external_ids" not in album and "external_urls" not in album
    assert album["external_urls__spotify"].startswith("https://open.spotify.com/album/")
    assert "external_ids__upc" in album
    # Arrays are not flattened: they become JSON text.
    assert isinstance(album["artists"], str) and json.loads(album["artists"])[0]["id"]
    track = records["album_tracks"][0]
    assert "external_urls__spotify" in track and "external_urls" not in track
    assert track["album_id"]
