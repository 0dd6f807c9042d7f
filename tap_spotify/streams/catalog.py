"""The public catalog: new releases, their full albums, and every track of them.

    new_releases --(20 album ids)--> albums --(their first track pages)--> album_tracks

`new_releases` closes a group of up to 20 albums with a context holding their ids;
`albums` fetches them in one `GET /albums?ids=` (one `GET /albums/{id}` each, several
at once, where the app's tier forbids the batch); each full album embeds its first 50
tracks, which reach `album_tracks` through its context, so only longer albums cost
track requests of their own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
import typing as t
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlparse

from tap_spotify.client import SpotifyStream, body_of, page_key
from tap_spotify.errors import ConfigError, Forbidden, NotFound
from tap_spotify.schemas import catalog as schemas

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

#: Spotify's cap on ids per `GET /albums?ids=` request.
ALBUMS_PER_REQUEST = 20
#: Spotify's search gives at most 10 results a page since February 2026...
SEARCH_PAGE_LIMIT = 10
#: ...and no offset past 1000.
SEARCH_MAX_OFFSET = 1000
#: How often a long run says how far it is.
PROGRESS_EVERY_SECONDS = 5.0
#: The state key of new_releases: ids of the listed albums already synced.
SYNCED = "synced"


def normalize_release_date(value: str | None) -> str | None:
    """`2024` -> `2024-01-01`, `2024-05` -> `2024-05-01`; None when Spotify's date is
    unusable (Spotify has albums dated `0000`)."""
    if not value:
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
    if not released or normalize_release_date(released) is None:
        return False
    return released < start_date[:len(released)]


class NewReleasesStream(SpotifyStream):
    """Spotify's curated new-releases list, or search `tag:new` where the app's tier
    allows no more. Incremental by membership: the state remembers which listed albums
    were synced, so an album newly listed is synced whatever its release date."""

    name = "new_releases"
    primary_keys = ("id",)
    schema = schemas.NEW_RELEASE
    items_key = ("albums", "items")

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = "browse"
        self.batch_allowed: bool | None = None  # what the listing showed of the tier
        self.reported_total: int | None = None
        self.listed: list[str] = []
        self.synced: set[str] = set()
        self.closing: dict[str, list[str]] = {}  # album closing a group -> the group
        self.grouped: set[str] = set()
        self.listed_set: set[str] = set()
        self.waiting: list[str] = []  # written, but their group's children are not done
        self.done: list[str] = []  # written, and their children done: synced
        self.next_progress = 0.0

    @property
    def path(self) -> str:  # type: ignore[override]
        return "/search" if self.source == "search" else "/browse/new-releases"

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        if self.source == "search":
            return {"q": "tag:new", "type": "album", "offset": 0,
                    "limit": min(SEARCH_PAGE_LIMIT, self.page_size), **self.market_params}
        return {"limit": self.page_size, "offset": 0}

    def get_new_paginator(self) -> t.Any:
        paginator = super().get_new_paginator()
        if self.source == "search":
            paginator.max_offset = SEARCH_MAX_OFFSET
        return paginator

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        if self.reported_total is None:
            page = self.page_of(body_of(response))
            total = page.get("total")
            self.reported_total = total if isinstance(total, int) else None
        return super().parse_response(response)

    # Records.

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        previous = self.stream_state.get(SYNCED)
        if previous is not None and not (isinstance(previous, list)
                                         and all(isinstance(i, str) for i in previous)):
            raise ConfigError(f"the state's bookmarks.{self.name}.{SYNCED} should be a list "
                              "of album ids; fix the state file or run without it.")
        self.synced = set(previous or ())
        start_date = None if previous is not None else self.config.get("start_date")
        children = any(child.selected or child.has_selected_descendents
                       for child in self.child_streams)
        keep = self.stream_maps[0].get_filter_result
        group: list[str] = []
        held: dict | None = None  # the group's latest album: is it the last one?
        # `--test` stops each stream at its first record: groups of one, so the child
        # streams are tested too.
        group_size = min(ALBUMS_PER_REQUEST, self.ABORT_AT_RECORD_COUNT or ALBUMS_PER_REQUEST)
        for album in self.listed_albums():
            if album["id"] in self.synced:
                continue
            if album["release_date_normalized"] is None:
                self.logger.warning("Album %s has an unusable release date %r; syncing it "
                                    "all the same.", album["id"], album.get("release_date"))
            elif start_date and released_before(album, str(start_date)):
                self.synced.add(album["id"])  # handled: skipped by start_date
                continue
            if not (children and keep(album)):
                yield album
                continue
            if held is not None:
                yield held
            group.append(album["id"])
            self.grouped.add(album["id"])
            held = album
            if len(group) == group_size:
                self.closing[album["id"]], group, held = group, [], None
                yield album
        if held is not None:
            self.closing[held["id"]] = group
            yield held

    def listed_albums(self) -> t.Iterator[dict]:
        """Every listed album once, in Spotify's order, with its normalized date."""
        for album in self.listing():
            album_id = album.get("id")
            if not isinstance(album_id, str) or album_id in self.listed_set:
                continue
            self.listed_set.add(album_id)
            self.listed.append(album_id)
            album["release_date_normalized"] = normalize_release_date(album.get("release_date"))
            yield album
        expected = self.reported_total
        if expected is not None and self.source == "search":
            expected = min(expected, SEARCH_MAX_OFFSET + SEARCH_PAGE_LIMIT)
        if expected is not None and len(self.listed) < expected:
            self.logger.warning(
                "new_releases: Spotify reported %d albums but its pages held %d distinct "
                "ones; the listing may be incomplete.", expected, len(self.listed))

    def listing(self) -> t.Iterator[dict]:
        """Listed albums from /browse/new-releases, or from search where the app's tier
        or the settings say so."""
        setting = self.config["new_releases_source"]
        if setting != "search":
            records = iter(self.request_records(None))
            try:
                first = next(records, None)
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
                if first is not None:
                    yield first
                yield from records
                return
        self.source = "search"
        self.reported_total = None
        try:
            yield from self.request_records(None)
        except NotFound as exc:
            raise self.wrong_api_url(exc) from None

    def wrong_api_url(self, exc: Exception) -> ConfigError:
        return ConfigError(f"{exc}: check api_url (now {self.url_base}); Spotify's is "
                           "https://api.spotify.com/v1.")

    # Children, and what counts as synced.

    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        """Called for each record before the SDK writes it: so every album seen before
        this one is written, and every group closed before it has its children done."""
        self.confirm()
        group = self.closing.pop(record["id"], None)
        if group is None:
            (self.waiting if record["id"] in self.grouped else self.done).append(record["id"])
            return
        yield {"group": AlbumGroup(tuple(group), self.batch_allowed)}
        self.done += [*self.waiting, record["id"]]
        self.waiting = []
        self.report_progress()

    def confirm(self) -> None:
        if self.done:
            self.synced.update(self.done)
            self.done = []
            self.stream_state[SYNCED] = [i for i in self.listed if i in self.synced]
            self.state_manager.is_flushed = False

    def report_progress(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if final or now >= self.next_progress:
            self.next_progress = now + PROGRESS_EVERY_SECONDS
            self.logger.info("new_releases: %d of %d albums listed %s synced or already "
                             "synced; %d requests sent", len(self.synced | set(self.done)),
                             len(self.listed), "were" if final else "so far",
                             self.client.session.requests_sent)

    def finalize_state_progress_markers(self, state: dict | None = None) -> None:
        """The run is over: keep only albums still listed, so the state stays as small
        as the listing."""
        self.confirm()
        if self.listed:
            self.synced &= set(self.listed)
            self.stream_state[SYNCED] = [i for i in self.listed if i in self.synced]
            self.state_manager.is_flushed = False
            self.report_progress(final=True)
        super().finalize_state_progress_markers(state)


@dataclass(frozen=True)
class AlbumGroup:
    """Up to 20 listed albums, and whether the listing showed that the app's tier allows
    `GET /albums?ids=` (None: not known). Short in log lines and metric tags."""

    ids: tuple[str, ...]
    batch_allowed: bool | None

    def __str__(self) -> str:
        return f"<{len(self.ids)} albums from {self.ids[0]}>"


@dataclass(frozen=True)
class FirstTrackPages:
    """Each album's first page of tracks, as its full album object embeds it. Handed to
    `album_tracks` in its context; short in log lines and metric tags."""

    pages: tuple[tuple[str, dict], ...]

    def __str__(self) -> str:
        return f"<first track pages of {len(self.pages)} albums>"


class AlbumsStream(SpotifyStream):
    """Full album objects (label, copyrights, external ids, popularity...) of the albums
    `new_releases` emits."""

    name = "albums"
    path = "/albums"
    primary_keys = ("id",)
    schema = schemas.ALBUM
    parent_stream_type = NewReleasesStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    items_key = ("albums",)

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_allowed: bool | None = None
        self.first_pages: list[tuple[str, dict]] = []
        self.closing_id: str | None = None

    def get_new_paginator(self) -> None:  # type: ignore[override]
        return None  # one request per group

    def get_url_params(self, context: Context | None, next_page_token: t.Any,
                       ) -> dict[str, t.Any]:
        assert context is not None
        return {"ids": ",".join(context["group"].ids), **self.market_params}

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        group: AlbumGroup = context["group"]
        if self.batch_allowed is None:
            self.batch_allowed = group.batch_allowed
        albums = self.fetch(list(group.ids), context)
        keep = self.stream_maps[0].get_filter_result
        self.first_pages = []
        for album in albums:
            first_page = album.pop("tracks", None)
            album["release_date_normalized"] = normalize_release_date(album.get("release_date"))
            if isinstance(first_page, dict) and keep(album):
                self.first_pages.append((album["id"], first_page))
        self.closing_id = self.first_pages[-1][0] if self.first_pages else None
        yield from albums

    def fetch(self, ids: list[str], context: Context) -> list[dict]:
        """Full albums in the listing's order: one batch request where the tier allows
        it, else one request per album, `max_concurrency` at once."""
        if self.batch_allowed is not False:
            try:
                albums = list(self.request_records(context))
            except Forbidden:
                self.batch_allowed = False
                self.logger.warning(
                    "Spotify answered 403 to GET /albums?ids= (a Development Mode app): "
                    "fetching albums one at a time with GET /albums/{id} for the rest of "
                    "the run.")
            else:
                self.batch_allowed = True
                found = {album.get("id") for album in albums}
                for album_id in ids:
                    if album_id not in found:
                        self.warn_gone(album_id, "Spotify returned null for it")
                return albums
        return [album for album in self.client.map(self.fetch_one, ids) if album]

    def fetch_one(self, album_id: str) -> dict | None:
        try:
            return t.cast("dict", self.get_json(f"/albums/{album_id}", self.market_params))
        except NotFound as exc:
            self.warn_gone(album_id, str(exc))
            return None

    def warn_gone(self, album_id: str, why: str) -> None:
        self.logger.warning("Album %s is listed in new releases but is no longer available "
                            "(%s); skipping it.", album_id, why)

    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        if record["id"] == self.closing_id:
            yield {"albums": FirstTrackPages(tuple(self.first_pages))}


class AlbumTracksStream(SpotifyStream):
    """Every track of every album synced, each with its album's id."""

    name = "album_tracks"
    path = "/albums/{album_id}/tracks"
    primary_keys = ("id",)
    schema = schemas.ALBUM_TRACK
    parent_stream_type = AlbumsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_page_href: str | None = None

    def get_new_paginator(self) -> t.Any:
        paginator = super().get_new_paginator()
        if self.first_page_href:  # a link back to the embedded page is a loop too
            paginator.seen.add(page_key(self.first_page_href))
        return paginator

    def get_url_params(self, context: Context | None, next_page_token: t.Any,
                       ) -> dict[str, t.Any]:
        if next_page_token is None and context and context.get("next"):
            return {**self.market_params, **dict(parse_qsl(urlparse(context["next"]).query))}
        return super().get_url_params(context, next_page_token)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        short: list[str] = []
        for album_id, first_page in context["albums"].pages:
            seen: set[str] = set()
            pages: t.Iterable[dict] = first_page.get("items") or []
            if first_page.get("next") and self.on_api_host(first_page["next"]):
                self.first_page_href = first_page.get("href")
                more = self.request_records({"album_id": album_id, "next": first_page["next"]})
                pages = itertools.chain(pages, more)
            for track in pages:
                if not track or track.get("id") in seen:
                    continue
                if track.get("id"):
                    seen.add(track["id"])
                track["album_id"] = album_id
                yield track
            total = first_page.get("total")
            if isinstance(total, int) and len(seen) < total:
                short.append(f"{album_id}: {len(seen)} of {total}")
        if short:
            self.logger.warning(
                "album_tracks: %d albums delivered fewer tracks than Spotify lists for them "
                "(%s); their track lists may be incomplete.", len(short), ", ".join(short[:3]))

