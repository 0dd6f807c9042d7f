"""Spotify's new releases: the curated list (or search `tag:new` where the app's tier
allows no more), incremental by membership.

    new_releases --(groups of 20 albums, asked for ahead)--> albums --> album_tracks

The listing's pages are asked for as soon as the first gives `total` (paging.py); each
group of up to 20 listed albums is asked for (albums.py) the moment it closes, up to
`max_concurrency` groups ahead of what has been written, and travels to `albums` in the
context of its last album. The children only wait and emit, in the listing's order, so
records, STATE and resumability are those of a run that asked for one thing at a time.
"""

from __future__ import annotations

import datetime as dt
import time
import typing as t
from collections import deque
from dataclasses import dataclass, field

from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.api import malformed
from tap_spotify.client import SpotifyStream
from tap_spotify.errors import ConfigError, Forbidden, NotFound
from tap_spotify.paging import PagesAhead
from tap_spotify.schemas import catalog as schemas

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.helpers.types import Context

#: How often a long run says how far it is.
PROGRESS_EVERY_SECONDS = 5.0
#: The state key of new_releases: ids of the listed albums already synced.
SYNCED = "synced"


class AskedGroup(t.Protocol):
    """A group of albums being asked for (albums.py), as this stream holds it."""

    def cancel(self) -> None: ...


class AlbumSource(t.Protocol):
    """The child stream that asks for full albums, a group at a time."""

    def ask_for(self, ids: tuple[str, ...], batch_allowed: bool | None) -> AskedGroup: ...


def normalize_release_date(value: object) -> str | None:
    """`2024` -> `2024-01-01`, `2024-05` -> `2024-05-01`; None when Spotify's date is
    unusable (Spotify has albums dated `0000`)."""
    if not isinstance(value, str) or not value:
        return None
    parts = value.split("-")
    try:
        day = dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                      int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None
    return day.isoformat()


def released_before(album: dict, start_date: str) -> bool:
    """True only when the album surely came out before `start_date`, at the precision
    Spotify gives (an album dated `2026` is not before 2026-06-01)."""
    released = album.get("release_date")
    if normalize_release_date(released) is None:
        return False
    return str(released) < start_date[:len(str(released))]


@dataclass
class OpenGroup:
    """Albums gathered for one request; `asked` once the group is closed."""

    ids: list[str] = field(default_factory=list)
    asked: AskedGroup | None = None


@dataclass
class Listed:
    """A listed album waiting to be written: the group it belongs to (None when its
    full album is not needed), and whether it closes that group."""

    album: dict
    group: OpenGroup | None
    closes: bool = False


class NewReleasesStream(SpotifyStream):
    """Spotify's curated new-releases list, or search `tag:new` where the app's tier
    allows no more. Incremental by membership: the state remembers which listed albums
    were synced, so an album newly listed is synced whatever its release date."""

    name = "new_releases"
    primary_keys: t.ClassVar[list[str]] = ["id"]
    schema = schemas.NEW_RELEASE
    items_key = ("albums", "items")

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = "browse"
        #: What the listing showed of the app's tier: may it use GET /albums?ids=?
        self.batch_allowed: bool | None = None
        self.listed: list[str] = []
        self.synced: set[str] = set()
        self.waiting: list[str] = []  # written, but their group's children are not done
        self.done: list[str] = []  # written, and their children done: synced
        self.handed: dict[str, Listed] = {}  # yielded, not yet through the child contexts
        self.next_progress = 0.0

    @classmethod
    @override
    def state_problem(cls, state: dict) -> str | None:
        synced = state.get(SYNCED, [])
        if not (isinstance(synced, list) and all(isinstance(i, str) for i in synced)):
            return f"{SYNCED} should be a list of album ids"
        return super().state_problem(state)

    @property
    @override
    def path(self) -> str:  # type: ignore[override]
        return "/search" if self.source == "search" else "/browse/new-releases"

    @property
    def ahead(self) -> int:
        """How far ahead to ask: `--test` stops at one record, so it asks for one."""
        return 1 if self.ABORT_AT_RECORD_COUNT else self.settings.max_concurrency

    # Records.

    @override
    def records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        previous = self.stream_state.get(SYNCED)
        self.synced = set(previous or ())
        start_date = self.settings.start_date if previous is None else None
        children = any(child.selected or child.has_selected_descendents
                       for child in self.child_streams)
        keep = self.stream_maps[0].get_filter_result
        # `--test` stops each stream at its first record: groups of one, so the child
        # streams are tested too.
        group_size = min(spotify.ALBUMS_PER_REQUEST,
                         self.ABORT_AT_RECORD_COUNT or spotify.ALBUMS_PER_REQUEST)
        queue: deque[Listed] = deque()
        group = OpenGroup()
        try:
            for album in self.listed_albums():
                if album["id"] in self.synced:
                    continue
                if album["release_date_normalized"] is None:
                    self.logger.warning("Album %s has an unusable release date %r; syncing "
                                        "it all the same.", album["id"],
                                        album.get("release_date"))
                elif start_date and released_before(album, start_date.isoformat()):
                    self.synced.add(album["id"])  # handled: skipped by start_date
                    continue
                if not (children and keep(album)):
                    queue.append(Listed(album, None))
                else:
                    queue.append(Listed(album, group))
                    group.ids.append(album["id"])
                    if len(group.ids) == group_size:
                        self.close(queue[-1], group)
                        group = OpenGroup()
                yield from self.release(queue, final=False)
            if group.ids:
                self.close(queue[-1], group)
            yield from self.release(queue, final=True)
        finally:
            for entry in queue:
                if entry.closes and entry.group and entry.group.asked:
                    entry.group.asked.cancel()
        # Every record is written, and every group's children are done.
        self.confirm()
        if self.listed:  # keep only albums still listed: the state stays that small
            self.synced &= set(self.listed)
            self.stream_state[SYNCED] = [i for i in self.listed if i in self.synced]
            self.report_progress(final=True)

    def close(self, last: Listed, group: OpenGroup) -> None:
        """`last` closes `group` (full, or the listing is over): ask for its albums."""
        last.closes = True
        group.asked = self.albums.ask_for(tuple(group.ids), self.batch_allowed)

    def release(self, queue: deque[Listed], *, final: bool) -> Iterator[dict]:
        """Hand the SDK the albums at the head of the queue whose group has been asked
        for, once enough groups are in flight to keep the workers busy (or the listing
        is over)."""
        in_flight = sum(1 for entry in queue if entry.closes)
        while queue:
            head = queue[0]
            if head.group is not None and (head.group.asked is None or (
                    not final and in_flight < self.ahead)):
                return
            queue.popleft()
            in_flight -= head.closes
            self.handed[head.album["id"]] = head
            yield head.album

    def listed_albums(self) -> Iterator[dict]:
        """Every listed album once, in Spotify's order, with its normalized date."""
        listed: set[str] = set()
        pages = self.listing_pages()
        for page in pages:
            for album in self.items_of(page, f"GET {self.path}"):
                album_id = album.get("id")
                if not isinstance(album_id, str) or not album_id:
                    raise malformed(f"GET {self.path}", "a listed album without an id")
                if album_id in listed:
                    continue
                listed.add(album_id)
                self.listed.append(album_id)
                album["release_date_normalized"] = normalize_release_date(
                    album.get("release_date"))
                yield album
        self.warn_if_short(pages.total)

    def warn_if_short(self, expected: int | None) -> None:
        if expected is not None and self.source == "search" and expected > spotify.SEARCH_MAX_END:
            self.logger.warning(
                "new_releases: Spotify's search reported %d new albums but lists at most the "
                "first %d; %d were listed. Albums beyond them cannot be read through search "
                "(an Extended Quota Mode app reads /browse/new-releases instead).", expected,
                spotify.SEARCH_MAX_END, len(self.listed))
            expected = spotify.SEARCH_MAX_END
        if expected is not None and len(self.listed) < expected:
            self.logger.warning(
                "new_releases: Spotify reported %d albums but its pages held %d distinct "
                "ones; the listing may be incomplete.", expected, len(self.listed))

    def listing_pages(self) -> PagesAhead:
        """The pages of /browse/new-releases, or of search where the app's tier or the
        settings say so."""
        setting = self.settings.new_releases_source
        if setting != "search":
            try:
                first = self.client.get_json("/browse/new-releases",
                                             {"limit": self.page_size, "offset": 0})
            except Forbidden:
                if setting == "browse":
                    raise ConfigError(
                        "Spotify answered 403 to /browse/new-releases: Development Mode "
                        "apps may not use it since 2026. Set new_releases_source to auto "
                        "or search.") from None
                self.batch_allowed = False
                self.logger.warning(
                    "new_releases source: search (q=tag:new, albums released in the past "
                    "two weeks), because Spotify answered 403 to /browse/new-releases, as "
                    "it does for Development Mode apps.")
            except NotFound as exc:
                raise self.wrong_api_url(exc) from None
            else:
                self.batch_allowed = True
                self.logger.info("new_releases source: /browse/new-releases")
                return PagesAhead(self, "/browse/new-releases", {}, limit=self.page_size,
                                  ahead=self.ahead, first=first)
        self.source = "search"
        limit = min(spotify.SEARCH_MAX_LIMIT, self.page_size)
        try:
            first = self.client.get_json("/search", {
                "q": spotify.NEW_ALBUMS_QUERY, "type": "album", "limit": limit, "offset": 0,
                **self.market_params})
        except NotFound as exc:
            raise self.wrong_api_url(exc) from None
        return PagesAhead(self, "/search", {"q": spotify.NEW_ALBUMS_QUERY, "type": "album",
                                            **self.market_params},
                          limit=limit, ahead=self.ahead, max_end=spotify.SEARCH_MAX_END,
                          first=first)

    def wrong_api_url(self, exc: Exception) -> ConfigError:
        return ConfigError(f"{exc}: check api_url (now {self.url_base}); Spotify's is "
                           f"{spotify.API_URL}.")

    @property
    def albums(self) -> AlbumSource:
        """The child that asks for full albums (the only child of this stream)."""
        return t.cast("AlbumSource", next(c for c in self.child_streams
                                          if hasattr(c, "ask_for")))

    # Children, and what counts as synced.

    @override
    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        """Called for each record before the SDK writes it: so every album seen before
        this one is written, and every group closed before it has its children done."""
        self.confirm()
        entry = self.handed.pop(record["id"], None)
        if entry is None or not entry.closes or entry.group is None:
            grouped = entry is not None and entry.group is not None
            (self.waiting if grouped else self.done).append(record["id"])
            return
        yield {"group": entry.group.asked}
        self.done += [*self.waiting, record["id"]]
        self.waiting = []
        self.report_progress()

    def confirm(self) -> None:
        """Albums whose records and children are all out count as synced; the next
        STATE the SDK writes carries them."""
        if self.done:
            self.synced.update(self.done)
            self.done = []
            self.stream_state[SYNCED] = [i for i in self.listed if i in self.synced]

    def report_progress(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if final or now >= self.next_progress:
            self.next_progress = now + PROGRESS_EVERY_SECONDS
            self.logger.info("new_releases: %d of %d albums listed %s synced or already "
                             "synced; %d requests sent", len(self.synced | set(self.done)),
                             len(self.listed), "were" if final else "so far",
                             self.client.session.requests_sent)
