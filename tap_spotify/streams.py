"""The streams: new releases, and the full albums and tracks behind them."""

from __future__ import annotations

import typing as t

from tap_spotify import schemas
from tap_spotify.album_fetcher import AlbumFetcher
from tap_spotify.client import SpotifyStream
from tap_spotify.errors import ConfigError, Forbidden
from tap_spotify.payloads import (
    AlbumPage,
    FullAlbum,
    RawObject,
    decode_album_page,
    field_appender,
    materialize,
    value_of,
)
from tap_spotify.release_window import ReleaseWindow, normalize_release_date

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

#: Spotify's search takes at most 10 results a page since February 2026...
SEARCH_PAGE_LIMIT = 10
#: ...and no offset past 1000.
SEARCH_MAX_OFFSET = 1000


class NewReleasesStream(SpotifyStream):
    """New album releases: `/browse/new-releases`, or search's `tag:new` where that is
    all the app may use. Incremental on the release date, with a lookback window."""

    name = "new_releases"
    path = "/browse/new-releases"
    primary_keys = ("id",)
    replication_key = "release_date_normalized"
    is_sorted = False  # the list is curated, not in date order
    schema = schemas.NEW_RELEASE

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.album_fetcher: AlbumFetcher | None = None
        # What the listing taught us about the app's tier: /browse/new-releases answered
        # (extended: batches allowed), answered 403 (development: not), or was not asked.
        self._tier_allows_batches: bool | None = None
        self._group_ends: dict[str, int] = {}
        self._window: ReleaseWindow | None = None
        self._open_group: list[tuple[str, str | None]] = []
        self._ready: list[tuple[str, str | None]] = []

    # Listing.

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        self._window = ReleaseWindow(
            self.stream_state,
            bookmark=self.stream_state.get("replication_key_value"),
            start_date=self.config.get("start_date"),
            lookback_days=int(self.config.get("lookback_days", 14)),
        )
        children_wanted = any(child.selected or child.has_selected_descendents
                              for child in self.child_streams)
        passes_maps = self.stream_maps[0].get_filter_result
        listed = 0
        records: list[dict] = []
        for album, track_count in self._list_albums():
            listed += 1
            if not self._window.wants(album["id"], album["release_date_normalized"]):
                continue
            if not self.emits_raw_json:  # a stream map may filter on any field
                album = materialize(album)
            records.append(album)
            if children_wanted and passes_maps(album):  # fetch its tracks right away
                if self.album_fetcher is None:  # the first page has shown the app's tier
                    self.album_fetcher = self._new_album_fetcher()
                self.album_fetcher.add(album["id"], track_count)
        if self.album_fetcher is not None:
            self.album_fetcher.finish()
            self._group_ends = self.album_fetcher.group_ends()
        self.logger.info("%d albums listed, %d to sync (%s)", listed, len(records),
                         f"released on or after {self._window.lower_bound}"
                         if self._window.lower_bound else "all")
        return records

    def _list_albums(self) -> t.Iterator[tuple[dict, int]]:
        """Every listed album once, in Spotify's order, as the pages arrive: Spotify's
        fields as raw JSON (payloads.py), `id` decoded, and the normalized release date;
        with its track count."""
        seen: set[str] = set()
        for page in self._new_release_pages():
            for fields in page:
                if not fields:
                    continue
                album_id = value_of(fields, "id")
                if album_id and album_id not in seen:
                    seen.add(album_id)
                    yield ({**fields, "id": album_id, "release_date_normalized":
                            normalize_release_date(value_of(fields, "release_date"))},
                           int(value_of(fields, "total_tracks") or 0))

    def _new_release_pages(self) -> t.Iterator[list[RawObject | None]]:
        """Pages from /browse/new-releases, or from search where the app's tier or the
        settings say so."""
        source = self.config.get("new_releases_source", "auto")
        if source == "search":
            self.logger.info("new_releases source: search (q=tag:new)")
        else:
            pages = self._pages("/browse/new-releases", {}, int(self.config["page_size"]))
            try:
                first = next(pages)
            except Forbidden:
                if source == "browse":
                    raise ConfigError(
                        "Spotify answered 403 to /browse/new-releases: Development Mode apps "
                        "may not use it since 2026. Set new_releases_source to auto or search."
                    ) from None
                self._tier_allows_batches = False
                self.logger.warning(
                    "new_releases source: search (q=tag:new, albums released in the past two "
                    "weeks), because Spotify answered 403 to /browse/new-releases, as it does "
                    "for Development Mode apps."
                )
            else:
                self._tier_allows_batches = True
                self.logger.info("new_releases source: /browse/new-releases")
                yield first
                yield from pages
                return
        yield from self._pages("/search", {"q": "tag:new", "type": "album", **self.market_params},
                               min(SEARCH_PAGE_LIMIT, int(self.config["page_size"])),
                               max_offset=SEARCH_MAX_OFFSET)

    def _pages(self, path: str, params: dict[str, t.Any], limit: int,
               max_offset: int | None = None) -> t.Iterator[list[RawObject | None]]:
        """Pages of albums. The first page gives `total`, so the rest are fetched together;
        then `next` links are followed until null, should the list have grown."""
        first = self._get_page(path, {**params, "limit": limit, "offset": 0})
        yield first.items
        end = first.total
        if max_offset is not None:
            end = min(end, max_offset + 1)
        futures = [self.connection.submit(self._get_page, path,
                                          {**params, "limit": limit, "offset": offset})
                   for offset in range(limit, end, limit)]
        page = first
        for future in futures:
            page = self.connection.result(future)
            yield page.items
        while page.next and (max_offset is None or page.offset + limit <= max_offset):
            page = self._get_page(page.next)
            yield page.items

    def _get_page(self, url: str, params: dict[str, t.Any] | None = None) -> AlbumPage:
        return self.get_json(url, params, decode=decode_album_page)

    # Children: full albums and tracks, fetched ahead of the records, handed over in groups.

    def _new_album_fetcher(self) -> AlbumFetcher:
        albums_stream = t.cast("SpotifyStream", self._tap.streams[AlbumsStream.name])
        return AlbumFetcher(albums_stream, self.logger, batch_endpoint=self._tier_allows_batches)

    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        """One child context per group of albums (album_fetcher.py), at the album that
        closes the group.

        Bookkeeping for the state: an album counts as synced once its own record and
        its tracks are out. This runs before the SDK writes `record`, so albums are
        confirmed one call later (or at the end of the stream).
        """
        assert self._window is not None
        self._window.mark_synced(self._ready)
        self._ready = []
        album = (record["id"], record.get("release_date_normalized"))
        group = self._group_ends.get(record["id"])
        if self.album_fetcher is None or not self.stream_maps[0].get_filter_result(record):
            self._ready.append(album)
            return
        self._open_group.append(album)
        if group is not None:
            yield {"album_group": group}
            self._ready, self._open_group = self._open_group, []

    def finalize_state_progress_markers(self, state: dict | None = None) -> None:
        if self._window is not None:  # every record is out now: confirm the last albums
            self._window.mark_synced(self._ready)
            self._ready = []
        super().finalize_state_progress_markers(state)


class _AlbumChildStream(SpotifyStream):
    """A stream fed by the groups of albums `NewReleasesStream` hands over; no per-album
    state."""

    parent_stream_type = NewReleasesStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    path = "/albums"

    def full_albums(self, context: Context | None) -> list[FullAlbum]:
        if not context:
            return []
        parent = t.cast("NewReleasesStream", self._tap.streams[NewReleasesStream.name])
        assert parent.album_fetcher is not None
        return parent.album_fetcher.albums(int(context["album_group"]))

    def generate_child_contexts(self, record: t.Any, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        return ()  # no children below albums and tracks


class AlbumsStream(_AlbumChildStream):
    """Full album objects (label, copyrights, external ids, popularity...), which the track
    requests return anyway: no extra request."""

    name = "albums"
    primary_keys = ("id",)
    schema = schemas.ALBUM

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        for album in self.full_albums(context):
            yield {**album.fields,
                   "release_date_normalized": normalize_release_date(album.value("release_date"))}


class AlbumTracksStream(_AlbumChildStream):
    """Every track of every album synced, each with its album's id.

    Records are Spotify's track objects as raw JSON with `album_id` spliced in (see
    payloads.py); the base stream decodes them when a map or selection needs values.
    """

    name = "album_tracks"
    primary_keys = ("id",)
    schema = schemas.ALBUM_TRACK

    def get_records(self, context: Context | None) -> t.Iterable[t.Any]:
        for album in self.full_albums(context):
            add_album_id = field_appender("album_id", album.id)
            for track in album.tracks:
                yield add_album_id(track)
