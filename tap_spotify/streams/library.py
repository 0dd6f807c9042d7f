"""The listener's library: saved tracks and albums, in Spotify's own order."""

from __future__ import annotations

import typing as t

from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.schemas import user as schemas
from tap_spotify.streams.user import UserStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class SavedItemsStream(UserStream):
    """The library in Spotify's order, newest save first.

    A save is new by its place in that order, never by its `added_at`: a pre-saved
    album carries its release date, years back or in the future. The state keeps the
    ids at the top of the library as the last run saw them (one page, about 25 bytes
    each); a run reads down to the first of them still there, and emits what came
    above it, oldest save first. A removed item only means one fewer id to find; if
    every one of them was removed, the run reads the whole library once.
    """

    scope = "user-library-read"
    #: The key of the saved object in each item; the record's key is `<kind>_id`.
    kind: t.ClassVar[str]
    #: How many ids at the top of the library the state keeps.
    HEAD = spotify.MAX_PAGE_SIZE
    #: Spotify's listing can hold `null` for an item it no longer has: skipped, counted.
    null_items = True

    @classmethod
    @override
    def state_problem(cls, state: dict) -> str | None:
        head = state.get("head", [])
        if not (isinstance(head, list) and all(isinstance(i, str) for i in head)):
            return "head should be a list of ids"
        return super().state_problem(state)

    @override
    def item_identity(self, item: t.Any) -> str | None:
        saved = item.get(self.kind) if isinstance(item, dict) else None
        return super().item_identity(saved)

    @override
    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        previous: list[str] = list(self.stream_state.get("head") or ())
        known = set(previous)
        new: list[dict] = []
        found: str | None = None
        gone = 0
        for item in self.request_records(context):  # stops asking at the first known
            if item is None:
                gone += 1
                continue
            saved_id = self.item_identity(item)
            if saved_id in known:
                found = saved_id
                break
            new.append({f"{self.kind}_id": saved_id, **item})
        if gone:
            self.logger.warning("%s: %d entries of the library are null (items Spotify no "
                                "longer has) and were skipped.", self.name, gone)
        yield from reversed(new)
        read = [record[f"{self.kind}_id"] for record in new]
        rest = previous[previous.index(found):] if found else []
        self.stream_state["head"] = list(dict.fromkeys(read + rest))[:self.HEAD]


class SavedTracksStream(SavedItemsStream):
    name = "saved_tracks"
    path = "/me/tracks"
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "track_id"]
    schema = schemas.SAVED_TRACK
    kind = "track"


class SavedAlbumsStream(SavedItemsStream):
    name = "saved_albums"
    path = "/me/albums"
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "album_id"]
    schema = schemas.SAVED_ALBUM
    kind = "album"
