"""The listener's playlists, and their items in Spotify's positions."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.api import body_of, malformed
from tap_spotify.errors import Forbidden, where
from tap_spotify.schemas import user as schemas
from tap_spotify.streams.user import UserStream

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context


@dataclass
class PlaylistRead:
    """One playlist's items to read: handed to `playlist_items` in its context, which
    says whether it read them all (a 403 leaves the playlist unsynced)."""

    playlist_id: str
    snapshot_id: str | None
    complete: bool = False

    def __str__(self) -> str:
        return f"<playlist {self.playlist_id}>"


class PlaylistsStream(UserStream):
    """Playlists the listener owns, collaborates on or follows. Their items are read
    again only when a playlist's `snapshot_id` changed since its items were read."""

    name = "playlists"
    path = "/me/playlists"
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "id"]
    schema = schemas.PLAYLIST
    scope = "playlist-read-private"
    extra_scopes = ("playlist-read-collaborative",)

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed: set[str] = set()  # this run's playlists
        self.withheld = 0  # playlists whose items Spotify answered 403 to

    @classmethod
    @override
    def state_problem(cls, state: dict) -> str | None:
        snapshots = state.get("snapshots", {})
        if not (isinstance(snapshots, dict) and all(
                isinstance(v, str) for v in snapshots.values())):
            return "snapshots should map playlist ids to snapshot ids"
        return super().state_problem(state)

    @override
    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        snapshots: dict[str, str] = self.stream_state.setdefault("snapshots", {})
        yield from super().user_records(context)
        if self.listed:  # forget playlists the listener no longer has
            for playlist_id in set(snapshots) - self.listed:
                del snapshots[playlist_id]
        if self.withheld:
            self.logger.warning(
                "playlist_items: %d playlists not read: Spotify answered 403 to their items "
                "(as it does for Development Mode apps on playlists the listener neither "
                "owns nor collaborates on); they are read again next run.", self.withheld)

    @override
    def post_process(self, record: dict, context: Context | None = None) -> dict | None:
        items = record.pop("tracks", None)  # Spotify's name before 2026
        record.setdefault("items", items)
        record = t.cast("dict", super().post_process(record, context))
        self.listed.add(record["id"])
        return record

    @override
    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        snapshots: dict[str, str] = self.stream_state["snapshots"]
        snapshot = record.get("snapshot_id")
        if snapshot and snapshots.get(record["id"]) == snapshot:
            return
        read = PlaylistRead(record["id"], snapshot)
        yield {"playlist": read}
        if read.complete and snapshot:
            snapshots[record["id"]] = snapshot
        elif not read.complete and any(child.selected for child in self.child_streams):
            self.withheld += 1


class PlaylistItemsStream(UserStream):
    """The items of each playlist, in order, keyed on `playlist_id` and `position`:
    a `null` entry (a removed track, say) keeps its place, as a record whose `item`
    is null, so positions always equal Spotify's."""

    name = "playlist_items"
    path = "/playlists/{playlist_id}/items"
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "playlist_id", "position"]
    schema = schemas.PLAYLIST_ITEM
    scope = "playlist-read-private"
    parent_stream_type = PlaylistsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    quiet = True
    null_items = True

    @override
    def get_url(self, context: Context | None) -> str:
        assert context is not None
        return f"{self.url_base}/playlists/{context['playlist'].playlist_id}/items"

    @override
    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {"limit": spotify.PLAYLIST_ITEMS_MAX_LIMIT, "offset": 0, **self.market_params}

    @override
    def item_identity(self, item: t.Any) -> str | None:
        return None  # a playlist may hold the same track twice

    @override
    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        read: PlaylistRead = context["playlist"]
        try:
            for position, entry in enumerate(self.request_records(context)):
                item = dict(entry or {})
                inner = item.pop("item", None) or item.pop("track", None)
                item.pop("track", None)  # both names are sent during the renaming
                yield {"playlist_id": read.playlist_id, "position": position,
                       "snapshot_id": read.snapshot_id, **item, "item": inner}
        except Forbidden:
            return
        read.complete = True

    @override
    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        items = self.items_of(body_of(response), where(response))
        for entry in items:
            inner = None if entry is None else entry.get("item", entry.get("track"))
            if inner is not None and not isinstance(inner, dict):
                raise malformed(where(response), "a playlist entry whose item is not an object")
        return iter(items)
