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

from tap_spotify import spotify
from tap_spotify.client import SpotifyStream, page_key
from tap_spotify.errors import ConfigError, Forbidden, MalformedAnswer, NotFound
from tap_spotify.schemas import catalog as schemas

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

try:
    from typing import override  # type: ignore[attr-defined]
except ImportError:  # Python < 3.12
    from typing_extensions import override

#: How often a long run says how far it is.
PROGRESS_EVERY_SECONDS = 5.0
#: The state key of new_releases: ids of the listed albums already synced.
SYNCED = "synced"


def normalize_release_date(value: str | None) -> str | None:
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
    def search_limit(self) -> int:
        return min(spotify.SEARCH_MAX_LIMIT, self.page_size)

    @override
    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        if self.source == "search":
            return {"q": spotify.NEW_ALBUMS_QUERY, "type": "album", "offset": 0,
                    "limit": self.search_limit, **self.market_params}
        return {"limit": self.page_size, "offset": 0}

    @override
    def get_new_paginator(self) -> t.Any:
        paginator = super().get_new_paginator()
        if self.source == "search":  # offset + limit at most 1,000
            paginator.max_offset = spotify.SEARCH_MAX_END - self.search_limit
        return paginator

    @override
    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        if self.reported_total is None:
            total = self.page_of(response).get("total")
            self.reported_total = total if isinstance(total, int) else None
        return super().parse_response(response)

    # Records.

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        previous = self.stream_state.get(SYNCED)
        self.synced = set(previous or ())
        start_date = self.settings.start_date if previous is None else None
        children = any(child.selected or child.has_selected_descendents
                       for child in self.child_streams)
        keep = self.stream_maps[0].get_filter_result
        group: list[str] = []
        held: dict | None = None  # the group's latest album: is it the last one?
        # `--test` stops each stream at its first record: groups of one, so the child
        # streams are tested too.
        group_size = min(spotify.ALBUMS_PER_REQUEST,
                         self.ABORT_AT_RECORD_COUNT or spotify.ALBUMS_PER_REQUEST)
        for album in self.listed_albums():
            if album["id"] in self.synced:
                continue
            if album["release_date_normalized"] is None:
                self.logger.warning("Album %s has an unusable release date %r; syncing it "
                                    "all the same.", album["id"], album.get("release_date"))
            elif start_date and released_before(album, start_date.isoformat()):
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
        # Every record is written, and every group's children are done.
        self.confirm()
        if self.listed:  # keep only albums still listed: the state stays that small
            self.synced &= set(self.listed)
            self.stream_state[SYNCED] = [i for i in self.listed if i in self.synced]
            self.report_progress(final=True)

    def listed_albums(self) -> t.Iterator[dict]:
        """Every listed album once, in Spotify's order, with its normalized date."""
        for album in self.listing():
            album_id = album.get("id")
            if not isinstance(album_id, str) or not album_id:
                raise MalformedAnswer(f"new_releases: Spotify listed an album without an id "
                                      f"(GET {self.path}): the answer is malformed. Run "
                                      "again later, and report it if it persists.")
            if album_id in self.listed_set:
                continue
            self.listed_set.add(album_id)
            self.listed.append(album_id)
            album["release_date_normalized"] = normalize_release_date(album.get("release_date"))
            yield album
        expected = self.reported_total
        if expected is not None and self.source == "search" and expected > spotify.SEARCH_MAX_END:
            self.logger.warning(
                "new_releases: Spotify's search reported %d new albums but lists at most the "
                "first %d; %d were listed. Albums beyond them cannot be read through search "
                "(an Extended Quota Mode app reads /browse/new-releases instead).", expected,
                spotify.SEARCH_MAX_END, len(self.listed))
            expected = min(expected, spotify.SEARCH_MAX_END)
        if expected is not None and len(self.listed) < expected:
            self.logger.warning(
                "new_releases: Spotify reported %d albums but its pages held %d distinct "
                "ones; the listing may be incomplete.", expected, len(self.listed))

    def listing(self) -> t.Iterator[dict]:
        """Listed albums from /browse/new-releases, or from search where the app's tier
        or the settings say so."""
        setting = self.settings.new_releases_source
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
                           f"{spotify.API_URL}.")

    # Children, and what counts as synced.

    @override
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
    primary_keys: t.ClassVar[list[str]] = ["id"]
    schema = schemas.ALBUM
    parent_stream_type = NewReleasesStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    items_key = ("albums",)
    quiet = True
    null_items = True  # an id Spotify no longer knows

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_allowed: bool | None = None
        self.first_pages: list[tuple[str, dict]] = []
        self.closing_id: str | None = None

    @override
    def get_new_paginator(self) -> None:  # type: ignore[override]
        return None  # one request per group

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any,
                       ) -> dict[str, t.Any]:
        assert context is not None
        return {"ids": ",".join(context["group"].ids), **self.market_params}

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        group: AlbumGroup = context["group"]
        if self.batch_allowed is None:
            self.batch_allowed = group.batch_allowed
        albums = self.fetch(list(group.ids), context)
        keep = self.stream_maps[0].get_filter_result
        self.first_pages = []
        for album in albums:
            if not isinstance(album.get("id"), str) or not album["id"]:
                raise MalformedAnswer("albums: Spotify sent an album without an id (GET "
                                      "/albums): the answer is malformed. Run again later, "
                                      "and report it if it persists.")
            first_page = album.pop("tracks", None)
            album["release_date_normalized"] = normalize_release_date(album.get("release_date"))
            if first_page is not None and not isinstance(first_page, dict):
                raise MalformedAnswer(f"albums: Spotify sent album {album['id']} with tracks "
                                      "that are not a page of tracks: the answer is "
                                      "malformed. Run again later, and report it if it "
                                      "persists.")
            if first_page is not None and keep(album):
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
                albums = [album for album in albums if album is not None]
                found = {album.get("id") for album in albums}
                for album_id in ids:
                    if album_id not in found:
                        self.warn_gone(album_id, "Spotify returned null for it")
                return albums
        return [album for album in self.client.map(self.fetch_one, ids) if album]

    def fetch_one(self, album_id: str) -> dict | None:
        try:
            return t.cast("dict", self.client.get_json(f"/albums/{album_id}",
                                                       self.market_params))
        except NotFound as exc:
            self.warn_gone(album_id, str(exc))
            return None

    def warn_gone(self, album_id: str, why: str) -> None:
        self.logger.warning("Album %s is listed in new releases but is no longer available "
                            "(%s); skipping it.", album_id, why)

    @override
    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        if record["id"] == self.closing_id:
            yield {"albums": FirstTrackPages(tuple(self.first_pages))}


class AlbumTracksStream(SpotifyStream):
    """Every track of every album synced, each with its album's id."""

    name = "album_tracks"
    path = "/albums/{album_id}/tracks"
    primary_keys: t.ClassVar[list[str]] = ["id"]
    schema = schemas.ALBUM_TRACK
    parent_stream_type = AlbumsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    quiet = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_page_href: str | None = None

    @override
    def get_new_paginator(self) -> t.Any:
        paginator = super().get_new_paginator()
        if self.first_page_href:  # a link back to the embedded page is a loop too
            paginator.seen_pages.add(page_key(self.first_page_href))
        return paginator

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any,
                       ) -> dict[str, t.Any]:
        if next_page_token is None and context and context.get("next"):
            return {**self.market_params, **dict(parse_qsl(urlparse(context["next"]).query))}
        return super().get_url_params(context, next_page_token)

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        short: list[str] = []
        for album_id, first_page in context["albums"].pages:
            seen: set[str] = set()
            pages: t.Iterable[dict] = embedded_tracks(album_id, first_page)
            next_link = first_page.get("next")
            if next_link and self.on_api_host(str(next_link)):
                self.first_page_href = first_page.get("href")
                more = self.request_records({"album_id": album_id, "next": next_link})
                pages = itertools.chain(pages, more)
            for track in pages:
                if track.get("id") in seen:
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


def embedded_tracks(album_id: str, page: dict) -> list[dict]:
    """The first page of tracks a full album embeds, checked like any page."""
    items, next_link = page.get("items") or [], page.get("next")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or (
            next_link is not None and not isinstance(next_link, str)):
        raise MalformedAnswer(f"albums: Spotify sent album {album_id} with a page of tracks "
                              "that is not one (items that are not objects, or a next link "
                              "that is not a URL): the answer is malformed. Run again later, "
                              "and report it if it persists.")
    return items
