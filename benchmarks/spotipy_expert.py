"""spotipy batched as an expert would: the fewest requests, one at a time.

`sp.new_releases(limit=50)` then `sp.next(...)` through the listing; `sp.albums(ids)`
for each group of 20 listed albums (full albums, each embedding its first 50 tracks);
`sp.album_tracks(album_id, limit=50, offset=50...)` only for an album over 50 tracks.
spotipy is sequential (one `requests.Session`, keep-alive), so this makes the same
requests as tap-spotify and the minimal concurrent client, one after the other.

The emulator is reached only through spotipy's configuration: `Spotify.prefix` for the
API and `OAUTH_TOKEN_URL` of a `SpotifyClientCredentials` subclass for the token. It
writes the records tap-spotify writes, as JSON lines `{"stream": ..., "record": ...}`:
`new_releases`, `albums` (embedded tracks taken out) and `album_tracks` (with
`album_id`).

    python benchmarks/spotipy_expert.py --api-url URL --token-url URL --out FILE
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import IO, Any

import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials

from benchmarks import client_cli
from benchmarks.client_cli import write

TIMEOUT_SECONDS = 30
PAGE = 50
ALBUMS_PER_REQUEST = 20


def make_client(api_url: str, token_url: str, client_id: str, secret: str) -> spotipy.Spotify:
    """A spotipy client whose token and API URLs are the emulator's."""

    class EmulatorCredentials(SpotifyClientCredentials):
        OAUTH_TOKEN_URL = token_url

    auth = EmulatorCredentials(client_id=client_id, client_secret=secret,
                               cache_handler=MemoryCacheHandler())  # no .cache file
    sp = spotipy.Spotify(auth_manager=auth, requests_timeout=TIMEOUT_SECONDS)
    sp.prefix = api_url.rstrip("/") + "/"
    return sp


def new_releases(sp: spotipy.Spotify) -> Iterator[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spotipy flags the endpoint
        response = sp.new_releases(limit=PAGE)
    while response:
        albums = response["albums"]
        yield from albums["items"]
        response = sp.next(albums) if albums["next"] else None


def run(sp: spotipy.Spotify, out: IO[str]) -> int:
    """Writes every listed album, full album and track; returns the number of records."""
    written = 0
    ids = []
    for album in new_releases(sp):
        write(out, "new_releases", album)
        written += 1
        ids.append(album["id"])
    for start in range(0, len(ids), ALBUMS_PER_REQUEST):
        for album in sp.albums(ids[start:start + ALBUMS_PER_REQUEST])["albums"]:
            if album is None:  # no longer available
                continue
            page = album.pop("tracks")
            write(out, "albums", album)
            written += 1
            tracks = list(page["items"])
            for offset in range(PAGE, page["total"], PAGE):
                tracks += sp.album_tracks(album["id"], limit=PAGE, offset=offset)["items"]
            for track in tracks:
                track["album_id"] = album["id"]
                write(out, "album_tracks", track)
                written += 1
    return written


def main(argv: Sequence[str] | None = None) -> int:
    return client_cli.main(
        __doc__.split("\n\n")[0],
        lambda args, out: run(make_client(args.api_url, args.token_url, args.client_id,
                                          args.client_secret), out),
        argv)


if __name__ == "__main__":
    sys.exit(main())
