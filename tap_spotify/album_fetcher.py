"""Fetches full albums, with every track, for the batches of albums a run emits.

The SDK syncs child streams one parent at a time, one request at a time. Here the
parent hands over album ids as its listing finds them; this fetcher keeps up to
`max_concurrency` requests in flight, a bounded window ahead of the child streams,
and hands back results in listing order, so output is the same whatever the
concurrency.

Requests, fewest first:
- extended tier: `GET /albums?ids=` for 20 albums at a time; each full album embeds
  its first 50 tracks, so only longer albums need `GET /albums/{id}/tracks` pages;
- development tier (a 403 from `/albums?ids=`, once, switches for the rest of the run):
  `GET /albums/{id}` per album, which embeds the same first 50 tracks.
"""

from __future__ import annotations

import logging
import typing as t
from concurrent.futures import Future

from tap_spotify.errors import Forbidden, NotFound
from tap_spotify.payloads import (
    FullAlbum,
    Raw,
    RawObject,
    decode_album,
    decode_several_albums,
    decode_track_page,
)

if t.TYPE_CHECKING:
    from tap_spotify.client import SpotifyStream

#: Spotify's cap on ids per `GET /albums?ids=` request.
ALBUMS_PER_REQUEST = 20
#: Tracks a full album object embeds; longer albums need extra pages.
EMBEDDED_TRACKS = 50
#: Request batches handed to the child streams at once, as one group. Each hand-over
#: is one SDK sync of each child stream, which costs about a millisecond (logs, metrics,
#: a STATE message) whatever its size; groups of 100 albums make that small per record,
#: while a stopped run has at most one group to redo.
BATCHES_PER_GROUP = 5

# An album and the futures of its extra track pages.
AlbumParts = tuple[FullAlbum | None, list[Future[list[Raw]]]]


class AlbumFetcher:
    """Ordered, bounded-concurrency access to full albums by batch index."""

    def __init__(self, stream: SpotifyStream, logger: logging.Logger, *,
                 batch_endpoint: bool | None = True) -> None:
        """`batch_endpoint`: True in the extended tier, False in the development tier,
        None when unknown (then one batch request goes first, as a probe)."""
        self._stream = stream
        self._connection = stream.connection
        self._logger = logger
        self._batches: list[list[str]] = []
        self._open_batch: list[str] = []
        self._slots: dict[int, list[Future[AlbumParts]]] = {}
        self._done: dict[int, list[FullAlbum]] = {}
        self._scheduled = 0
        # One batch is one request in the extended tier, so look far enough ahead to
        # keep every worker busy.
        self._lookahead = 2 * self._connection.max_concurrency
        self._batch_endpoint = batch_endpoint
        self._page_size = int(stream.config.get("page_size", 50))
        self._listed_track_counts: dict[str, int] = {}
        self._early_pages: dict[str, list[Future[list[Raw]]]] = {}

    def add(self, album_id: str, listed_track_count: int = 0) -> None:
        """Queue an album, as the listing finds it: full batches are requested at once.
        `listed_track_count` (`total_tracks` from the listing) lets the pages past the
        first 50 tracks be requested together with the album itself."""
        self._listed_track_counts[album_id] = listed_track_count
        self._open_batch.append(album_id)
        if len(self._open_batch) == ALBUMS_PER_REQUEST:
            self._close_batch()

    def finish(self) -> None:
        """The listing is complete: the last, partial batch can go too."""
        if self._open_batch:
            self._close_batch()

    def _close_batch(self) -> None:
        self._batches.append(self._open_batch)
        self._open_batch = []
        self._schedule_up_to(self._lookahead)

    def group_ends(self) -> dict[str, int]:
        """The album that closes each group, with the group's index (once the listing
        is finished)."""
        batches = self._batches
        return {batches[min(start + BATCHES_PER_GROUP, len(batches)) - 1][-1]: group
                for group, start in enumerate(range(0, len(batches), BATCHES_PER_GROUP))}

    def albums(self, group: int) -> list[FullAlbum]:
        """Full albums of one group, in listing order, each with all its tracks. The
        last group asked for is kept: every child stream reads the same group."""
        if group not in self._done:
            first = group * BATCHES_PER_GROUP
            albums: list[FullAlbum] = []
            for batch in range(first, min(first + BATCHES_PER_GROUP, len(self._batches))):
                self._schedule_up_to(batch + 1 + self._lookahead)
                albums.extend(album for slot in self._slots.pop(batch)
                              if (album := self._assemble(slot)) is not None)
            self._done = {group: albums}
        return self._done[group]

    # Scheduling, in the main thread.

    def _schedule_up_to(self, end: int) -> None:
        while self._scheduled < min(end, len(self._batches)):
            if self._batch_endpoint is None and self._scheduled:
                return  # the probe is out: a 403 would waste every batch sent meanwhile
            ids = self._batches[self._scheduled]
            for album_id in ids:  # before the album request, so its worker finds them
                self._early_pages[album_id] = self._submit_pages(
                    album_id, EMBEDDED_TRACKS, self._listed_track_counts.get(album_id, 0))
            slots: list[Future[AlbumParts]] = [Future() for _ in ids]
            if self._batch_endpoint is not False:
                self._connection.submit(self._fetch_several, ids, slots)
            else:
                for album_id, slot in zip(ids, slots, strict=True):
                    self._connection.submit(self._fetch_one, album_id, slot)
            self._slots[self._scheduled] = slots
            self._scheduled += 1

    def _assemble(self, slot: Future[AlbumParts]) -> FullAlbum | None:
        album, pages = self._connection.result(slot)
        if album is not None:
            for page in pages:
                tracks: list[Raw] = self._connection.result(page)
                album.tracks.extend(tracks)
        return album

    # Fetching, in worker threads. A worker never waits for another worker's task.

    def _fetch_several(self, ids: list[str], slots: list[Future[AlbumParts]]) -> None:
        try:
            try:
                body = self._stream.get_json("/albums", {"ids": ",".join(ids),
                                                         **self._stream.market_params},
                                             decode=decode_several_albums)
            except Forbidden:
                self._switch_to_single_album_requests()
                for album_id, slot in zip(ids, slots, strict=True):
                    self._connection.submit(self._fetch_one, album_id, slot)
                return
            self._batch_endpoint = True
            for album_id, album, slot in zip(ids, body["albums"], slots, strict=True):
                if album is None:
                    self._warn_missing(album_id, "Spotify returned null for it")
                    self._early_pages.pop(album_id, None)
                    slot.set_result((None, []))
                else:
                    slot.set_result(self._parts(album))
        except BaseException as exc:
            for slot in slots:
                if not slot.done():
                    slot.set_exception(exc)
            raise

    def _fetch_one(self, album_id: str, slot: Future[AlbumParts]) -> None:
        try:
            album = self._stream.get_json(f"/albums/{album_id}", self._stream.market_params,
                                          decode=decode_album)
        except NotFound as exc:
            self._warn_missing(album_id, str(exc))
            self._early_pages.pop(album_id, None)
            slot.set_result((None, []))
        except BaseException as exc:
            slot.set_exception(exc)
            raise
        else:
            slot.set_result(self._parts(album))

    def _parts(self, fields: RawObject) -> AlbumParts:
        """The album, and the futures of its remaining track pages: those requested early
        from the listing's count, plus any the album's own `total` adds."""
        album, first_page = FullAlbum.from_fields(fields)
        early = self._early_pages.pop(album.id, [])
        if not first_page.next:
            return album, []
        start = len(first_page.items) + len(early) * self._page_size
        return album, early + self._submit_pages(album.id, start, first_page.total)

    def _submit_pages(self, album_id: str, start: int, total: int) -> list[Future[list[Raw]]]:
        return [self._connection.submit(self._fetch_tracks_page, album_id, offset)
                for offset in range(start, total, self._page_size)]

    def _fetch_tracks_page(self, album_id: str, offset: int) -> list[Raw]:
        try:
            page = self._stream.get_json(
                f"/albums/{album_id}/tracks",
                {"offset": offset, "limit": self._page_size, **self._stream.market_params},
                decode=decode_track_page,
            )
        except NotFound as exc:
            self._warn_missing(album_id, f"{exc}; its tracks from #{offset + 1} on are missing")
            return []
        return page.items

    def _switch_to_single_album_requests(self) -> None:
        if self._batch_endpoint is not False:
            self._batch_endpoint = False
            self._logger.warning(
                "Spotify answered 403 to GET /albums?ids= (a Development Mode app): fetching "
                "albums one at a time with GET /albums/{id} for the rest of the run."
            )

    def _warn_missing(self, album_id: str, why: str) -> None:
        self._logger.warning("Album %s is listed in new releases but is no longer available "
                             "(%s); skipping it.", album_id, why)
