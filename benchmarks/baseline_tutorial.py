"""The tutorial pipeline with plain `requests`: the baseline tap-spotify is measured against.

One client-credentials token, then strictly sequential requests: new releases 20 at a
time (`limit=20`, following `next`), and for each album its tracks through
`GET /albums/{id}/tracks` with the API's default page size (no `limit`, so 20),
following `next`. Records go to a file as JSON lines, `{"stream": ..., "record": ...}`.

`--listing search` is the same pipeline for a Development Mode app, where
`/browse/new-releases` answers 403: the new albums come from `GET /search?q=tag:new`,
10 a page (Spotify's most since February 2026), following `next`.

A `requests.Session` keeps the connection alive, which only makes the baseline faster
than the `requests.get` calls most tutorials show.

    python benchmarks/baseline_tutorial.py --api-url URL --token-url URL --out FILE
    python benchmarks/baseline_tutorial.py ... --listing search   # development tier
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

import requests

from benchmarks import client_cli
from benchmarks.client_cli import write

TIMEOUT_SECONDS = 30
NEW_RELEASES_PAGE = 20
SEARCH_PAGE = 10


def get_token(session: requests.Session, token_url: str, client_id: str, secret: str) -> str:
    response = session.post(token_url, data={"grant_type": "client_credentials"},
                            auth=(client_id, secret), timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return str(response.json()["access_token"])


def pages(session: requests.Session, url: str, params: dict[str, Any] | None,
          key: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Items of a paging object, page by page, following `next` until it is null."""
    next_url: str | None = url
    while next_url:
        response = session.get(next_url, params=params, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        page = response.json()
        if key is not None:
            page = page[key]
        yield page["items"]
        next_url, params = page.get("next"), None  # `next` already carries the query


def album_tracks(session: requests.Session, api_url: str, album_id: str,
                 ) -> Iterator[dict[str, Any]]:
    try:
        for items in pages(session, f"{api_url}/albums/{album_id}/tracks", None):
            yield from items
    except requests.HTTPError as exc:
        if exc.response is None or exc.response.status_code != 404:
            raise
        print(f"album {album_id}: 404, skipped", file=sys.stderr)


def run(api_url: str, token_url: str, client_id: str, secret: str, out: IO[str],
        listing: str = "new-releases") -> int:
    """Writes every new release and every track; returns the number of records."""
    written = 0
    with requests.Session() as session:
        token = get_token(session, token_url, client_id, secret)
        session.headers["Authorization"] = f"Bearer {token}"
        albums: list[dict[str, Any]] = []
        if listing == "search":
            url, params = f"{api_url}/search", {"q": "tag:new", "type": "album",
                                                 "limit": SEARCH_PAGE, "offset": 0}
        else:
            url, params = f"{api_url}/browse/new-releases", {"limit": NEW_RELEASES_PAGE,
                                                             "offset": 0}
        for items in pages(session, url, params, key="albums"):
            albums.extend(items)
        for album in albums:
            write(out, "new_releases", album)
            written += 1
            for track in album_tracks(session, api_url, album["id"]):
                write(out, "album_tracks", {**track, "album_id": album["id"]})
                written += 1
    return written


def main(argv: Sequence[str] | None = None) -> int:
    return client_cli.main(
        __doc__.split("\n\n")[0],
        lambda args, out: run(args.api_url.rstrip("/"), args.token_url, args.client_id,
                              args.client_secret, out, args.listing),
        argv,
        extra=lambda parser: parser.add_argument(
            "--listing", choices=("new-releases", "search"), default="new-releases",
            help="where the new albums come from (search: a Development Mode app)"))


if __name__ == "__main__":
    sys.exit(main())
