"""Done-when 2: responses validate against the OpenAPI spec and match real field sets."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from spotify_emulator.catalog.model import RELINK_MARKET
from tests.emulator.helpers import (
    DEV_ALBUM_STRIPPED,
    DEV_TRACK_STRIPPED,
    api,
    assert_valid,
    recorded_body,
    response_validator,
    session,
    token_response,
)

PROFILES = ("extended", "development")


def _keys(obj: dict[str, Any]) -> set[str]:
    return set(obj)


@pytest.fixture(params=PROFILES)
def emu(request: pytest.FixtureRequest, make_emulator: Any) -> EmulatorServer:
    return make_emulator(profile=request.param, new_releases=30)


def _relinked_album(emu: EmulatorServer) -> Any:
    """The album the generator guarantees: a track relinked in ES, one blocked there."""

    def fits(album: Any) -> bool:
        tracks = album.tracks[:50]
        return any(RELINK_MARKET in t.relink_markets for t in tracks) and any(
            RELINK_MARKET not in t.market_set and RELINK_MARKET not in t.relink_markets
            for t in tracks
        )

    return next(a for a in emu.backend.catalog.new_releases if a.available and fits(a))


def test_every_endpoint_validates(emu: EmulatorServer) -> None:
    profile = emu.options.profile
    s = session(emu)
    catalog = emu.backend.catalog
    ids = catalog.new_release_ids
    available = [i for i in ids if catalog.albums[i].available][:20]
    long_album = next(a for a in catalog.new_releases if a.total_tracks > 50)

    if profile == "extended":
        body = api(emu, s, "/browse/new-releases", limit=50).json()
        assert_valid(response_validator("PagedAlbums", profile), body)
        body = api(emu, s, "/albums", ids=",".join(available)).json()
        assert_valid(response_validator("ManyAlbums", profile), body)
        body = api(emu, s, "/albums", ids=",".join(available), market="ES").json()
        assert_valid(response_validator("ManyAlbums", profile, market=True), body)
    for album_id in (long_album.id, *available[:5]):
        body = api(emu, s, f"/albums/{album_id}").json()
        assert_valid(response_validator("OneAlbum", profile), body)
        body = api(emu, s, f"/albums/{album_id}", market="ES").json()
        assert_valid(response_validator("OneAlbum", profile, market=True), body)
        body = api(emu, s, f"/albums/{album_id}/tracks", limit=50, offset=0).json()
        assert_valid(response_validator("PagingSimplifiedTrackObject", profile), body)
        body = api(emu, s, f"/albums/{album_id}/tracks", limit=50, market="ES").json()
        assert_valid(response_validator("PagingSimplifiedTrackObject", profile), body)
    body = api(emu, s, "/search", q="tag:new", type="album", limit=10).json()
    assert_valid(response_validator("SearchItems", profile), body)
    body = api(emu, s, "/search", q="tag:new", type="album,track", market="ES").json()
    assert_valid(response_validator("SearchItems", profile, market=True), body)


def test_error_bodies_validate(emu: EmulatorServer) -> None:
    error = response_validator("Unauthorized")
    resp = requests.get(emu.api_url + "/albums/" + "a" * 22, timeout=5)
    assert resp.status_code == 401
    assert_valid(error, resp.json())
    s = session(emu)
    for path, params in (
        ("/albums/bad", {}),
        ("/albums/" + "a" * 22, {}),
        ("/browse/new-releases", {"limit": 0}),
        ("/albums", {"ids": ",".join(["a" * 22] * 21)}),
    ):
        resp = api(emu, s, path, **params)
        assert resp.status_code in (400, 403, 404)
        assert_valid(error, resp.json())


# ----------------------------------------------------------- recorded field sets
NEW_RELEASES_2024 = recorded_body("jl_new_releases_2024.json")
ALBUM_2024 = recorded_body("jl_get_album_2024.json")
SEVERAL_2024 = recorded_body("jl_several_albums_2024.json")
TRACKS_2024 = recorded_body("jl_album_tracks_2024.json")
RELINKED_2017 = recorded_body("rspotify_album_tracks_market_ES_relinked_2017.json")
ALBUM_MARKET_2017 = recorded_body("rspotify_several_albums_market_ES_2017.json")["albums"][0]
TOKEN = recorded_body("swj_token_client_credentials.json")

SIMPLE_ALBUM_KEYS = _keys(NEW_RELEASES_2024["albums"]["items"][0])
FULL_ALBUM_KEYS = _keys(ALBUM_2024)
TRACK_KEYS = _keys(TRACKS_2024["items"][0])
PAGING_KEYS = _keys(TRACKS_2024)
ARTIST_KEYS = _keys(ALBUM_2024["artists"][0])
IMAGE_KEYS = _keys(ALBUM_2024["images"][0])
#: ``is_local`` post-dates the 2017 capture; ``total_tracks`` too.
RELINKED_TRACK_KEYS = _keys(RELINKED_2017["items"][0]) | {"is_local"}
ALBUM_MARKET_KEYS = _keys(ALBUM_MARKET_2017) | {"total_tracks"}


def test_recordings_agree_with_each_other() -> None:
    """The reference sets themselves: 2024 captures of the same object agree."""
    assert _keys(SEVERAL_2024["albums"][0]) == FULL_ALBUM_KEYS
    assert _keys(ALBUM_2024["tracks"]) == PAGING_KEYS == _keys(NEW_RELEASES_2024["albums"])
    assert _keys(ALBUM_2024["tracks"]["items"][0]) == TRACK_KEYS


def test_field_sets_match_recordings(emu: EmulatorServer) -> None:
    dev = emu.options.profile == "development"
    album_drop = DEV_ALBUM_STRIPPED if dev else set()
    track_drop = DEV_TRACK_STRIPPED if dev else set()
    s = session(emu)
    first = emu.backend.catalog.new_release_ids[0]

    if not dev:
        page = api(emu, s, "/browse/new-releases").json()["albums"]
        assert _keys(page) == PAGING_KEYS
        for item in page["items"]:
            assert _keys(item) == SIMPLE_ALBUM_KEYS
            assert all(_keys(a) == ARTIST_KEYS for a in item["artists"])
            assert all(_keys(i) == IMAGE_KEYS for i in item["images"])
        several = api(emu, s, "/albums", ids=first).json()["albums"]
        assert _keys(several[0]) == FULL_ALBUM_KEYS

    full = api(emu, s, f"/albums/{first}").json()
    assert _keys(full) == FULL_ALBUM_KEYS - album_drop
    assert _keys(full["tracks"]) == PAGING_KEYS
    for track in full["tracks"]["items"]:
        assert _keys(track) == TRACK_KEYS - track_drop

    tracks = api(emu, s, f"/albums/{first}/tracks").json()
    assert _keys(tracks) == PAGING_KEYS
    assert all(_keys(t) == TRACK_KEYS - track_drop for t in tracks["items"])

    search = api(emu, s, "/search", q="tag:new", type="album").json()["albums"]
    assert _keys(search) == PAGING_KEYS
    assert all(_keys(a) == SIMPLE_ALBUM_KEYS - album_drop for a in search["items"])


def test_market_dependent_field_sets(emu: EmulatorServer) -> None:
    """With market=: available_markets goes, is_playable comes, relinking shows."""
    dev = emu.options.profile == "development"
    s = session(emu)
    album = _relinked_album(emu)
    body = api(emu, s, f"/albums/{album.id}", market=RELINK_MARKET).json()
    expected_album = ALBUM_MARKET_KEYS - (DEV_ALBUM_STRIPPED if dev else set())
    assert _keys(body) == expected_album
    items = api(emu, s, f"/albums/{album.id}/tracks", limit=50, market=RELINK_MARKET).json()
    items = items["items"]
    own_ids = {x.id for x in album.tracks}
    relinked = [t for t in items if "linked_from" in t or t["id"] not in own_ids]
    blocked = [t for t in items if not t["is_playable"]]
    playable = [t for t in items if t["is_playable"] and t not in relinked]
    assert relinked and blocked and playable
    linked_drop = {"linked_from"} if dev else set()
    assert all(_keys(t) == RELINKED_TRACK_KEYS - linked_drop for t in relinked)
    assert all(_keys(t) == RELINKED_TRACK_KEYS - {"linked_from"} for t in playable)
    for t in blocked:
        assert _keys(t) == (RELINKED_TRACK_KEYS - {"linked_from"}) | {"restrictions"}
        assert t["restrictions"] == {"reason": "market"}
    if not dev:
        original = {x.relink_id: x.id for x in album.tracks if x.relink_id}
        for t in relinked:
            assert t["linked_from"]["id"] == original[t["id"]]
            assert set(t["linked_from"]) == set(RELINKED_2017["items"][0]["linked_from"])


def test_token_fields_match_recording(emu: EmulatorServer) -> None:
    body = token_response(emu)
    assert _keys(body) == _keys(TOKEN)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600


def test_album_values_look_real(emu: EmulatorServer) -> None:
    """Shapes beyond keys: URLs, uris, image sizes, embedded page of 50."""
    s = session(emu)
    album = next(a for a in emu.backend.catalog.new_releases if a.total_tracks == 51)
    body = api(emu, s, f"/albums/{album.id}").json()
    assert body["uri"] == f"spotify:album:{album.id}"
    assert body["external_urls"]["spotify"] == f"https://open.spotify.com/album/{album.id}"
    assert body["href"] == f"{emu.api_url}/albums/{album.id}"
    assert [i["width"] for i in body["images"]] == [640, 300, 64]
    tracks = body["tracks"]
    assert tracks["limit"] == 50 and tracks["total"] == 51 and len(tracks["items"]) == 50
    assert tracks["href"] == f"{emu.api_url}/albums/{album.id}/tracks?offset=0&limit=50"
    assert tracks["next"] == f"{emu.api_url}/albums/{album.id}/tracks?offset=50&limit=50"
    assert tracks["previous"] is None
    assert body["genres"] == [] and "upc" in body["external_ids"]
