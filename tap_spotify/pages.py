"""Listings read ahead: the pages of one listing asked for on the run's workers, a
bounded number ahead of the page being read, and handed over in Spotify's order.

A paging object says its `total`, so once the first page is in, every other page's
offset is known: they are asked for at once, `ahead` at a time, rather than one
after another along the `next` links. What the links guard against still holds:
- a page that comes back empty ends the listing early (its `total` lied), and the
  pages asked for beyond it are cancelled;
- a page that holds only items already read ends it with a warning (a server that
  ignores `offset`);
- where `total` is missing, or the last page still links further, the `next` links
  are followed one by one, never to another host, never to a page already read.
"""

from __future__ import annotations

import typing as t
from collections import deque
from urllib.parse import parse_qsl, urlparse

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Future

    from tap_spotify.client import SpotifyStream


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
