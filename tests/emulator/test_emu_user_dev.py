"""The user side in the development profile: others' playlists 403, /tracks and
/users/{id}/playlists gone, stripped profile, artist and track fields."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from spotify_emulator.user.render import DEV_STRIPPED_ARTIST_FIELDS, DEV_STRIPPED_USER_FIELDS
from tests.emulator.helpers import DEV_ALBUM_STRIPPED, DEV_TRACK_STRIPPED
from tests.emulator.user_helpers import user_session

FORBIDDEN = {"error": {"status": 403, "message": "Forbidden"}}


@pytest.fixture
def dev(make_emulator: Any) -> EmulatorServer:
    return make_emulator(profile="development")


def _get(emu: EmulatorServer, s: requests.Session, path: str, **params: Any) -> Any:
    resp = s.get(emu.api_url + path, params=params or None, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_profile_loses_private_fields(dev: EmulatorServer) -> None:
    me = _get(dev, user_session(dev), "/me")
    assert set(DEV_STRIPPED_USER_FIELDS) == {
        "country",
        "email",
        "product",
        "followers",
        "explicit_content",
    }
    assert not set(DEV_STRIPPED_USER_FIELDS) & set(me)
    assert {"id", "display_name", "images", "uri"} <= set(me)


def test_artists_lose_popularity_followers_genres(dev: EmulatorServer) -> None:
    s = user_session(dev)
    top = _get(dev, s, "/me/top/artists", limit=50)["items"]
    followed = _get(dev, s, "/me/following", type="artist")["artists"]["items"]
    assert set(DEV_STRIPPED_ARTIST_FIELDS) == {"popularity", "followers", "genres"}
    for artist in top + followed:
        assert not set(DEV_STRIPPED_ARTIST_FIELDS) & set(artist)


def test_tracks_and_albums_lose_their_fields(dev: EmulatorServer) -> None:
    s = user_session(dev)
    tracks = [i["track"] for i in _get(dev, s, "/me/player/recently-played")["items"]]
    tracks += _get(dev, s, "/me/top/tracks")["items"]
    tracks += [i["track"] for i in _get(dev, s, "/me/tracks")["items"]]
    for track in tracks:
        assert not DEV_TRACK_STRIPPED & set(track)
        assert not DEV_ALBUM_STRIPPED & set(track["album"])
        assert "external_ids" in track
    for saved in _get(dev, s, "/me/albums")["items"]:
        assert not DEV_ALBUM_STRIPPED & set(saved["album"])


def test_items_only_for_owned_or_collaborative_playlists(dev: EmulatorServer) -> None:
    s = user_session(dev)
    playlists = _get(dev, s, "/me/playlists", limit=50)
    assert playlists["total"] == 12  # the list itself is complete
    assert playlists["href"] == f"{dev.api_url}/me/playlists?offset=0&limit=50"
    readable, refused = 0, 0
    for playlist in playlists["items"]:
        resp = s.get(f"{dev.api_url}/playlists/{playlist['id']}/items", timeout=5)
        mine = playlist["owner"]["id"] == "listener" or playlist["collaborative"]
        if mine:
            assert resp.status_code == 200
            readable += 1
        else:
            assert resp.status_code == 403 and resp.json() == FORBIDDEN
            refused += 1
        tracks = s.get(f"{dev.api_url}/playlists/{playlist['id']}/tracks", timeout=5)
        assert tracks.status_code == 403 and tracks.json() == FORBIDDEN
    assert readable == 9 and refused == 3


def test_dev_playlist_links_stay_on_me_playlists(dev: EmulatorServer) -> None:
    s = user_session(dev)
    first = _get(dev, s, "/me/playlists", limit=5)
    assert first["next"] == f"{dev.api_url}/me/playlists?offset=5&limit=5"
    assert s.get(first["next"], timeout=5).status_code == 200
    gone = s.get(f"{dev.api_url}/users/listener/playlists", timeout=5)
    assert gone.status_code == 403 and gone.json() == FORBIDDEN


def test_switching_profile_at_runtime(make_emulator: Any) -> None:
    emu = make_emulator()
    s = user_session(emu)
    assert "country" in _get(emu, s, "/me")
    emu.backend.set_profile("development")
    assert "country" not in _get(emu, s, "/me")
