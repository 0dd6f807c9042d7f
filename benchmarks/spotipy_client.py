"""spotipy used the way its documentation shows, pointed at the emulator by its own settings.

`sp.new_releases(limit=20)` (spotipy's default page, as in its show_new_releases
example) then `sp.next(...)`; for each album `sp.album_tracks(album_id)` (spotipy's
default limit, 50) then `sp.next(...)`. The emulator is reached only through spotipy's
configuration: `Spotify.prefix` for the API and `OAUTH_TOKEN_URL` of a
`SpotifyClientCredentials` subclass for the token. Records go to a file as JSON lines,
`{"stream": ..., "record": ...}`.

    python benchmarks/spotipy_client.py --api-url URL --token-url URL --out FILE
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
NEW_RELEASES_PAGE = 20


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
        response = sp.new_releases(limit=NEW_RELEASES_PAGE)
    while response:
        albums = response["albums"]
        yield from albums["items"]
        response = sp.next(albums) if albums["next"] else None


def album_tracks(sp: spotipy.Spotify, album_id: str) -> Iterator[dict[str, Any]]:
    try:
        page = sp.album_tracks(album_id)
    except spotipy.SpotifyException as exc:
        if exc.http_status != 404:
            raise
        print(f"album {album_id}: 404, skipped", file=sys.stderr)
        return
    while page:
        yield from page["items"]
        page = sp.next(page) if page["next"] else None



def run(sp: spotipy.Spotify, out: IO[str]) -> int:
    """Writes every new release and every track; returns the number of records."""
    written = 0
    for album in list(new_releases(sp)):
        write(out, "new_releases", album)
        written += 1
        for track in album_tracks(sp, album["id"]):
            write(out, "album_tracks", {**track, "album_id": album["id"]})
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
