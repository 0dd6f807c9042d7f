"""How a listing is read: along Spotify's `next` links one page at a time (the SDK's
paging loop, `NextLinkPaginator`), or ahead by offset on the run's workers
(`PagesAhead`), and what both refuse.

Links are never followed to another host (the token would go with them) nor back to
a page already read, and a page holding only items already read ends the listing with
a warning (`Listing`: a cursor that changes on every page over the same items, or a
server that ignores `offset`). A paging object says its `total`, so once the first page
is in, `PagesAhead` asks for the other pages at once, `ahead` at a time; a page that
comes back empty ends the listing early (its `total` lied) and cancels the pages asked
for beyond it; where `total` is missing, or the last page still links further, it
follows the `next` links one by one.
"""

from __future__ import annotations

import typing as t
from collections import deque
from urllib.parse import parse_qsl, urlparse

from singer_sdk.pagination import BaseHATEOASPaginator
from typing_extensions import override

from tap_spotify.api import body_of
from tap_spotify.errors import where

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Future

    import requests

    from tap_spotify.client import SpotifyStream


class NextLinkPaginator(BaseHATEOASPaginator):
    """Follows Spotify's absolute `next` links: not to another host (the token would
    go with it), not to a page already fetched, not past `max_offset`, and not past a
    page that held only items already read (a cursor that changes on every page over
    the same items: `Listing` notices it)."""

    def __init__(self, stream: SpotifyStream, listing: Listing,
                 max_offset: int | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.listing = listing
        self.max_offset = max_offset
        self.seen_pages: set[tuple[str, frozenset[tuple[str, str]]]] = set()

    @override
    def get_next_url(self, response: requests.Response) -> str | None:
        self.seen_pages.add(page_key(response.url))
        url = self.stream.next_link(body_of(response), where(response))
        if not url or self.listing.ended or not self.stream.on_api_host(url):
            return None
        if page_key(url) in self.seen_pages:
            self.stream.logger.warning(
                "%s: Spotify's next-page link leads back to a page already read; stopping "
                "there, so the listing may be incomplete.", self.stream.name)
            return None
        offset = dict(parse_qsl(urlparse(url).query)).get("offset", "0")
        if self.max_offset is not None and offset.isdigit() and int(offset) > self.max_offset:
            return None
        return url


class Listing:
    """The items one listing has handed out so far: a page of nothing but items
    already read ends it, with a warning, and an item read twice is kept once."""

    def __init__(self, stream: SpotifyStream) -> None:
        self.stream = stream
        self.seen: set[str] = set()
        self.ended = False

    def new_items(self, items: list) -> list:
        ids = [self.stream.item_identity(item) for item in items]
        fresh = [item for item, id_ in zip(items, ids, strict=True)
                 if id_ is None or id_ not in self.seen]
        if items and not fresh:
            self.ended = True
            self.stream.logger.warning(
                "%s: Spotify's next page holds only items already read; stopping there, "
                "so the listing may be incomplete.", self.stream.name)
        self.seen.update(id_ for id_ in ids if id_ is not None)
        return fresh


def page_key(url: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """A page's identity: its path and query, whatever the order of the parameters."""
    parsed = urlparse(url)
    params = dict(parse_qsl(parsed.query))
    params.setdefault("offset", "0")
    return parsed.path.rstrip("/"), frozenset(params.items())


class PagesAhead:
    """One listing under `path`, read ahead. Iterate it for the pages' bodies."""

    def __init__(self, stream: SpotifyStream, path: str, params: t.Mapping[str, t.Any], *,
                 limit: int, ahead: int, max_end: int | None = None,
                 first: t.Any = None) -> None:
        self.stream = stream
        self.path = path
        self.params = dict(params)
        self.limit = limit
        self.ahead = max(1, ahead)
        self.max_end = max_end
        self.first = first
        self.source = f"GET {urlparse(stream.url_base).path}{path}"
        self.queue: deque[Future] = deque()
        self.seen_items: set[str] = set()
        self.total: int | None = None
        self.offsets: Iterator[int] = iter(())
        self.started = False

    def fetch(self, offset: int) -> t.Any:
        return self.stream.client.get_json(self.path, {**self.params, "limit": self.limit,
                                                       "offset": offset})

    def start(self) -> PagesAhead:
        """Ask for what can be asked for now: the first page, or, when it is in, the
        pages its `total` announces (called on a worker, or at the first page read)."""
        if not self.started:
            self.started = True
            if self.first is None:
                self.queue.append(self.stream.client.workers.submit(self.fetch, 0))
            else:
                self.plan(self.first)
        return self

    def plan(self, first: t.Any) -> None:
        """The first page is in: ask for the next `ahead` pages its `total` announces."""
        self.remember(self.stream.items_of(first, self.source))
        total = self.stream.page_of(first, self.source).get("total")
        self.total = total if isinstance(total, int) and not isinstance(total, bool) else None
        end = self.total if self.total is not None else 0
        if self.max_end is not None:
            end = min(end, self.max_end)
        self.offsets = iter(range(self.limit, end, self.limit))
        self.top_up()

    def __iter__(self) -> Iterator[t.Any]:
        try:
            yield from self.pages()
        finally:
            self.cancel()

    def cancel(self) -> None:
        while self.queue:
            self.queue.popleft().cancel()

    def pages(self) -> Iterator[t.Any]:
        self.start()
        page = self.first
        if page is None:
            page = self.queue.popleft().result()
            self.first = page
            self.plan(page)
        yield page
        covered = self.limit  # offsets below this were read
        while self.queue:
            page = self.queue.popleft().result()
            items = self.stream.items_of(page, self.source)
            if not items:
                return  # `total` promised more than there is
            if self.remember(items):
                self.warn_repeats()
                return
            yield page
            covered += self.limit
            self.top_up()
        yield from self.follow_links(page, covered)

    def top_up(self) -> None:
        while len(self.queue) < self.ahead:
            offset = next(self.offsets, None)
            if offset is None:
                return
            self.queue.append(self.stream.client.workers.submit(self.fetch, offset))

    def remember(self, items: list) -> bool:
        """Note the page's items; True when every one was read before."""
        ids = [self.stream.item_identity(item) for item in items]
        if not ids or None in ids:
            return False
        known = self.seen_items.issuperset(t.cast("list[str]", ids))
        self.seen_items.update(t.cast("list[str]", ids))
        return known

    def warn_repeats(self) -> None:
        self.stream.logger.warning(
            "%s: Spotify's next page holds only items already read; stopping there, so "
            "the listing may be incomplete.", self.stream.name)

    def follow_links(self, page: t.Any, covered: int) -> Iterator[t.Any]:
        """Past the pages `total` announced: along `next`, one page at a time."""
        base = urlparse(self.stream.url_base).path.rstrip("/")
        while True:
            link = self.stream.next_link(page, self.source)
            if not link or not self.stream.on_api_host(link):
                return
            target = urlparse(link)
            query = dict(parse_qsl(target.query))
            offset = query.get("offset", "")
            if not target.path.startswith(base + "/") or not offset.isdigit():
                return
            if int(offset) < covered:
                self.stream.logger.warning(
                    "%s: Spotify's next-page link leads back to a page already read; "
                    "stopping there, so the listing may be incomplete.", self.stream.name)
                return
            if self.max_end is not None and int(offset) + self.limit > self.max_end:
                return
            page = self.stream.client.get_json(target.path[len(base):], query)
            items = self.stream.items_of(page, self.source)
            if not items:
                return
            if self.remember(items):
                self.warn_repeats()
                return
            covered = int(offset) + len(items)
            yield page
