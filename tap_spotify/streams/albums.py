"""Full albums and every track of them: the children of `new_releases`.

Each group of up to 20 listed albums is asked for on the run's workers the moment it
closes: `GET /albums?ids=`, or `GET /albums/{id}` each where the app's tier forbids the
batch. Each full album embeds its first 50 tracks; the worker that receives it asks at
once for the further track pages of a long album (paging.py), so `album_tracks` only
waits for pages already on their way.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.client import SpotifyStream
from tap_spotify.errors import Forbidden, MalformedAnswer, NotFound
from tap_spotify.paging import PagesAhead
from tap_spotify.schemas import catalog as schemas
from tap_spotify.streams.new_releases import NewReleasesStream, normalize_release_date

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Future

    from singer_sdk.helpers.types import Context

#: Further track pages of one long album asked for at once.
TRACK_PAGES_AHEAD = 4


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

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        #: Whether the app's tier allows GET /albums?ids= (None: not known yet).
        self.batch_allowed: bool | None = None

    # Asking ahead, from the parent's sync.

    def ask_for(self, ids: tuple[str, ...], batch_allowed: bool | None) -> AlbumGroup:
        """Ask for a closed group's full albums now, on the workers. `batch_allowed`:
        what the listing showed of the app's tier (None: not known)."""
        if self.batch_allowed is None:
            self.batch_allowed = batch_allowed
        group = AlbumGroup(ids)
        if self.batch_allowed is None:  # the tier is unknown: try the batch once
            probe = self.client.workers.submit(self.fetch_batch, ids)
            try:
                probe.result()
            except Forbidden:
                group.requests = self.one_by_one(ids)
                return group
            self.batch_allowed = True
            group.requests.append(probe)
        elif self.batch_allowed:
            group.requests.append(self.client.workers.submit(self.fetch_batch, ids))
            group.one_by_one = self.one_by_one
        else:
            group.requests = self.one_by_one(ids)
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
        return [self.client.workers.submit(self.fetch_one, album_id) for album_id in ids]

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
