"""A minimal concurrent catalog client with plain `requests`: the floor tap-spotify's wall
time is measured against.

One client-credentials token, then a pool of 8 threads (each with its own keep-alive
`requests.Session`) making the fewest requests the extended tier allows:

- `GET /browse/new-releases?limit=50`: the first page gives the total, the other pages
  are asked for at once by offset;
- `GET /albums?ids=` for each group of 20 listed albums, in the listing's order, asked
  for as soon as the group is complete, at most 16 groups ahead of the one being
  written (so memory stays bounded when the writing is slower than the network);
- `GET /albums/{id}/tracks?limit=50&offset=50...` only for an album over 50 tracks (a
  full album embeds its first 50), asked for by the worker that received the album.

It writes the records tap-spotify writes, as JSON lines `{"stream": ..., "record": ...}`:
`new_releases` (every listed album), `albums` (each full album, its embedded tracks
taken out) and `album_tracks` (every track, with its `album_id`). No retries, no schema,
no state: any error stops it with a non-zero exit.

    python benchmarks/minimal_client.py --api-url URL --token-url URL --out FILE
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

import requests

from benchmarks import client_cli
from benchmarks.client_cli import write

TIMEOUT_SECONDS = 30
THREADS = 8
PAGE = 50
ALBUMS_PER_REQUEST = 20
#: Album groups asked for ahead of the one being written.
AHEAD = 2 * THREADS


class Client:
    """GETs on the pool's threads, one keep-alive session per thread."""

    def __init__(self, api_url: str, token: str, pool: ThreadPoolExecutor) -> None:
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.pool = pool
        self.local = threading.local()

    def get(self, path: str, params: dict[str, Any]) -> Any:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
            session.headers.update(self.headers)
        response = session.get(self.api_url + path, params=params, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()

    def submit(self, path: str, params: dict[str, Any]) -> Future[Any]:
        return self.pool.submit(self.get, path, params)

    def albums(self, ids: list[str]) -> list[tuple[dict[str, Any], list[Future[Any]]]]:
        """On a worker: a group's full albums (null ones left out), each with its
        further track pages already asked for."""
        body = self.get("/albums", {"ids": ",".join(ids)})
        found = []
        for album in body["albums"]:
            if album is None:  # no longer available
                continue
            total = album["tracks"]["total"]
            more = [self.submit(f"/albums/{album['id']}/tracks",
                                {"limit": PAGE, "offset": offset})
                    for offset in range(PAGE, total, PAGE)]
            found.append((album, more))
        return found


def get_token(token_url: str, client_id: str, secret: str) -> str:
    response = requests.post(token_url, data={"grant_type": "client_credentials"},
                             auth=(client_id, secret), timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return str(response.json()["access_token"])


def run(api_url: str, token_url: str, client_id: str, secret: str, out: IO[str]) -> int:
    """Writes every listed album, full album and track; returns the number of records."""
    written = 0
    token = get_token(token_url, client_id, secret)
    with ThreadPoolExecutor(THREADS) as pool:
        client = Client(api_url, token, pool)
        listing = "/browse/new-releases"
        first = client.get(listing, {"limit": PAGE, "offset": 0})["albums"]
        pages = deque(client.submit(listing, {"limit": PAGE, "offset": offset})
                      for offset in range(PAGE, first["total"], PAGE))

        def groups_of_ids() -> Iterator[list[str]]:
            """The listed albums' ids 20 at a time, each listed album written first."""
            nonlocal written
            ids: list[str] = []
            items = first["items"]
            while True:
                for album in items:
                    write(out, "new_releases", album)
                    written += 1
                    ids.append(album["id"])
                    if len(ids) == ALBUMS_PER_REQUEST:
                        yield ids
                        ids = []
                if not pages:
                    break
                items = pages.popleft().result()["albums"]["items"]
            if ids:
                yield ids

        def write_group(group: Future[Any]) -> None:
            nonlocal written
            for album, more in group.result():
                tracks = album.pop("tracks")
                write(out, "albums", album)
                written += 1
                album_id = album["id"]
                for page in [tracks, *(request.result() for request in more)]:
                    for track in page["items"]:
                        track["album_id"] = album_id
                        write(out, "album_tracks", track)
                        written += 1

        # At most AHEAD groups asked for beyond the one being written: the workers stay
        # busy and memory stays bounded (each answer is let go once written).
        window: deque[Future[Any]] = deque()
        for ids in groups_of_ids():
            window.append(pool.submit(client.albums, ids))
            if len(window) > AHEAD:
                write_group(window.popleft())
        while window:
            write_group(window.popleft())
    return written


def main(argv: Sequence[str] | None = None) -> int:
    return client_cli.main(
        __doc__.split("\n\n")[0],
        lambda args, out: run(args.api_url.rstrip("/"), args.token_url, args.client_id,
                              args.client_secret, out),
        argv)


if __name__ == "__main__":
    sys.exit(main())
