"""Done-when 1: an unmodified spotipy, configured only through its own settings."""

from __future__ import annotations

import warnings

import pytest
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials

from spotify_emulator import EmulatorServer


def _client(emu: EmulatorServer) -> spotipy.Spotify:
    auth = SpotifyClientCredentials(
        client_id=emu.options.client_id,
        client_secret=emu.options.client_secret,
        cache_handler=MemoryCacheHandler(),
    )
    auth.OAUTH_TOKEN_URL = emu.token_url  # spotipy reads self.OAUTH_TOKEN_URL
    sp = spotipy.Spotify(auth_manager=auth, retries=0, status_retries=0, requests_timeout=5)
    sp.prefix = emu.api_url + "/"  # spotipy joins relative paths onto self.prefix
    return sp


@pytest.fixture
def sp(emulator: EmulatorServer) -> spotipy.Spotify:
    return _client(emulator)


def test_spotipy_pages_new_releases(emulator: EmulatorServer, sp: spotipy.Spotify) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        page = sp.new_releases(limit=50)["albums"]
    seen = [a["id"] for a in page["items"]]
    while page["next"]:
        page = sp.next(page)["albums"]
        seen += [a["id"] for a in page["items"]]
    assert seen == emulator.backend.catalog.new_release_ids


def test_spotipy_pages_album_tracks(emulator: EmulatorServer, sp: spotipy.Spotify) -> None:
    catalog = emulator.backend.catalog
    album = next(a for a in catalog.new_releases if a.total_tracks == 120)
    page = sp.album_tracks(album.id, limit=50)  # spotipy sends .../tracks/ (trailing slash)
    seen = [t["id"] for t in page["items"]]
    while page["next"]:
        page = sp.next(page)
        seen += [t["id"] for t in page["items"]]
    assert seen == [t.id for t in album.tracks]


def test_spotipy_several_albums_and_album(emulator: EmulatorServer, sp: spotipy.Spotify) -> None:
    ids = emulator.backend.catalog.new_release_ids[:20]
    albums = sp.albums(ids)["albums"]  # spotipy sends /albums/?ids=
    assert [a["id"] for a in albums] == ids
    one = sp.album(ids[0])
    assert one == albums[0]
    counts = emulator.backend.stats()["counts"]
    assert counts["several_albums"] == 1 and counts["album"] == 1 and counts["token"] == 1
