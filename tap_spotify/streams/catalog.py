"""The public catalog: new releases, their full albums, and every track of them.

    new_releases --(groups of 20 albums, asked for ahead)--> albums --(track pages)--> album_tracks

Requests overlap on the run's workers (`max_concurrency` at once): the listing's pages
are asked for as soon as the first one gives `total` (pages.py); each group of up to
20 listed albums is asked for (`GET /albums?ids=`, or `GET /albums/{id}` each where
the app's tier forbids the batch) the moment it closes, up to `max_concurrency`
groups ahead of what has been written; the worker that receives a group asks at once
for the further track pages of its long albums. A group travels to `albums` in the
context of its last album, and its track pages on to `album_tracks`: the children only
wait and emit, in the listing's order, so records, STATE and resumability are those of
a run that asked for one thing at a time.
"""

from __future__ import annotations

import datetime as dt
import time
import typing as t
from collections import deque
from dataclasses import dataclass, field

from tap_spotify import spotify
from tap_spotify.client import SpotifyStream, malformed
from tap_spotify.errors import ConfigError, Forbidden, MalformedAnswer, NotFound
from tap_spotify.pages import PagesAhead
from tap_spotify.schemas import catalog as schemas

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Future

    from singer_sdk.helpers.types import Context

try:
    from typing import override  # type: ignore[attr-defined]
except ImportError:  # Python < 3.12
    from typing_extensions import override

#: How often a long run says how far it is.
PROGRESS_EVERY_SECONDS = 5.0
#: The state key of new_releases: ids of the listed albums already synced.
SYNCED = "synced"
#: Further track pages of one long album asked for at once.
TRACK_PAGES_AHEAD = 4


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
class FetchedAlbum:
    """A full album, and its tracks: the first page it embeds, the further pages
    already asked for (None: it has no more), and how many Spotify says it has."""

    album: dict
    first_page: list[dict]
    more: PagesAhead | None
    total: int | None


@dataclass
class AlbumGroup:
    """Up to 20 listed albums being asked for: one batch request, or one each. Handed
    to `albums` in its context; short in log lines and metric tags. When Spotify
    answers the batch with 403, `one_by_one` asks for them one at a time instead."""

    ids: tuple[str, ...]
    requests: list[Future] = field(default_factory=list)
    one_by_one: t.Callable[[tuple[str, ...]], list[Future]] | None = None

    def __str__(self) -> str:
        return f"<{len(self.ids)} albums from {self.ids[0]}>"

    def albums(self) -> list[FetchedAlbum]:
        """The group's albums as they arrive (a request's error is raised here)."""
        requests = self.requests
        if self.one_by_one is not None:
            try:
                requests[0].result()
            except Forbidden:
                requests = self.one_by_one(self.ids)
        found: list[FetchedAlbum] = []
        for request in requests:
            result = request.result()
            found += result if isinstance(result, list) else [result] if result else []
        return found

    def cancel(self) -> None:
        for request in self.requests:
            request.cancel()


@dataclass(frozen=True)
class TrackPages:
    """The tracks of a group's albums, handed to `album_tracks` in its context."""

    albums: tuple[FetchedAlbum, ...]

    def __str__(self) -> str:
        return f"<tracks of {len(self.albums)} albums>"


@dataclass
class OpenGroup:
    """Albums gathered for one request; `asked` once the group is closed."""

    ids: list[str] = field(default_factory=list)
    asked: AlbumGroup | None = None


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
        self.batch_allowed: bool | None = None  # what the listing showed of the tier
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
                        queue[-1].closes, group.asked = True, self.ask_for(group.ids)
                        group = OpenGroup()
                yield from self.release(queue, final=False)
            if group.ids:
                queue[-1].closes, group.asked = True, self.ask_for(group.ids)
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

    # Asking for albums ahead.

    def ask_for(self, ids: list[str]) -> AlbumGroup:
        """Ask for a closed group's full albums now, on the workers."""
        group = AlbumGroup(tuple(ids))
        if self.batch_allowed is None:  # the tier is unknown: try the batch once
            probe = self.client.workers.submit(self.albums_stream.fetch_batch, group.ids)
            try:
                probe.result()
            except Forbidden:
                group.requests = self.one_by_one(group.ids)
                return group
            self.batch_allowed = True
            group.requests.append(probe)
        elif self.batch_allowed:
            group.requests.append(self.client.workers.submit(self.albums_stream.fetch_batch,
                                                             group.ids))
            group.one_by_one = self.one_by_one
        else:
            group.requests = self.one_by_one(group.ids)
        return group

    def one_by_one(self, ids: tuple[str, ...]) -> list[Future]:
        """`GET /albums/{id}` for each, where the app's tier forbids the batch (said
        once, the first time Spotify answers it with 403)."""
        if self.batch_allowed is not False:
            self.batch_allowed = False
            self.logger.warning(
                "Spotify answered 403 to GET /albums?ids= (a Development Mode app): "
                "fetching albums one at a time with GET /albums/{id} for the rest of the "
                "run.")
        return [self.client.workers.submit(self.albums_stream.fetch_one, album_id)
                for album_id in ids]

    @property
    def albums_stream(self) -> AlbumsStream:
        return next(child for child in self.child_streams if isinstance(child, AlbumsStream))

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


class AlbumsStream(SpotifyStream):
    """Full album objects (label, copyrights, external ids, popularity...) of the albums
    `new_releases` emits."""

    name = "albums"
    path = "/albums"
    primary_keys: t.ClassVar[list[str]] = ["id"]
    schema = schemas.ALBUM
    parent_stream_type = NewReleasesStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    quiet = True
    items_key = ("albums",)
    null_items = True  # an id Spotify no longer knows

    # On the workers.

    def fetch_batch(self, ids: tuple[str, ...]) -> list[FetchedAlbum]:
        """`GET /albums?ids=`: the albums in the listing's order."""
        body = self.client.get_json("/albums", {"ids": ",".join(ids), **self.market_params})
        albums = [album for album in self.items_of(body, "GET /v1/albums") if album]
        found = {album.get("id") for album in albums}
        for album_id in ids:
            if album_id not in found:
                self.warn_gone(album_id, "Spotify returned null for it")
        return [self.received(album) for album in albums]

    def fetch_one(self, album_id: str) -> FetchedAlbum | None:
        """`GET /albums/{id}`, where the app's tier forbids the batch."""
        try:
            album = self.client.get_json(f"/albums/{album_id}", self.market_params)
        except NotFound as exc:
            self.warn_gone(album_id, str(exc))
            return None
        return self.received(album)

    def received(self, album: dict) -> FetchedAlbum:
        """A full album as it arrived, its further track pages asked for at once."""
        album_id = album.get("id")
        if not isinstance(album_id, str) or not album_id:
            raise MalformedAnswer("albums: Spotify sent an album without an id (GET "
                                  "/albums): the answer is malformed. Run again later, and "
                                  "report it if it persists.")
        page = album.pop("tracks", None) or {}
        album["release_date_normalized"] = normalize_release_date(album.get("release_date"))
        tracks = self.tracks_stream
        source = f"GET /v1/albums/{album_id} (its tracks)"
        first = tracks.items_of(page, source)
        more = None
        if tracks.next_link(page, source):
            more = PagesAhead(tracks, f"/albums/{album_id}/tracks", self.market_params,
                              limit=spotify.MAX_PAGE_SIZE, ahead=TRACK_PAGES_AHEAD,
                              first=page).start()
        total = page.get("total")
        return FetchedAlbum(album, first, more, total if isinstance(total, int) else None)

    @property
    def tracks_stream(self) -> AlbumTracksStream:
        return next(child for child in self.child_streams
                    if isinstance(child, AlbumTracksStream))

    def warn_gone(self, album_id: str, why: str) -> None:
        self.logger.warning("Album %s is listed in new releases but is no longer available "
                            "(%s); skipping it.", album_id, why)

    # In the sync.

    @override
    def records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        fetched = context["group"].albums()
        keep = self.stream_maps[0].get_filter_result
        kept = tuple(album for album in fetched if keep(album.album))
        self.closing_id = kept[-1].album["id"] if kept else None
        self.track_pages = TrackPages(kept)
        for album in fetched:
            yield album.album

    @override
    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        if record["id"] == self.closing_id:
            yield {"albums": self.track_pages}


class AlbumTracksStream(SpotifyStream):
    """Every track of every album synced, each with its album's id."""

    name = "album_tracks"
    path = "/albums/{album_id}/tracks"
    primary_keys: t.ClassVar[list[str]] = ["id"]
    schema = schemas.ALBUM_TRACK
    parent_stream_type = AlbumsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    quiet = True

    @override
    def records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        short: list[str] = []
        for fetched in context["albums"].albums:
            album_id = fetched.album["id"]
            seen: set[str] = set()
            for track in self.tracks_of(fetched):
                if track.get("id") in seen:
                    continue
                if track.get("id"):
                    seen.add(track["id"])
                track["album_id"] = album_id
                yield track
            total = fetched.total
            if total is not None and len(seen) < total:
                short.append(f"{album_id}: {len(seen)} of {total}")
        if short:
            self.logger.warning(
                "album_tracks: %d albums delivered fewer tracks than Spotify lists for them "
                "(%s); their track lists may be incomplete.", len(short), ", ".join(short[:3]))

    def tracks_of(self, fetched: FetchedAlbum) -> Iterator[dict]:
        if fetched.more is None:
            yield from fetched.first_page
            return
        source = f"GET /v1/albums/{fetched.album['id']}/tracks"
        for page in fetched.more:
            yield from self.items_of(page, source)
