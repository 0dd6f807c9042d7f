"""The listener's own data: profile, plays, top items, library, follows and playlists.

They need a listener's authorization (`tap-spotify login` stores a refresh token);
each stream needs one scope of it, and skips itself with a warning when the token
lacks it. Every record carries its `listener_id`, and every key includes it.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass

from tap_spotify import spotify
from tap_spotify.client import SpotifyStream, body_of, malformed
from tap_spotify.errors import Forbidden, MalformedAnswer, where
from tap_spotify.schemas import user as schemas

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

try:
    from typing import override  # type: ignore[attr-defined]
except ImportError:  # Python < 3.12
    from typing_extensions import override

#: Plays dated later than this past the run's own clock are not believed.
CLOCK_SKEW = dt.timedelta(minutes=5)


class UserStream(SpotifyStream):
    """A stream of the authorized listener's data."""

    #: The scope of the listener's authorization this stream needs...
    scope: t.ClassVar[str]
    #: ...and those it uses when granted (login asks for them too).
    extra_scopes: t.ClassVar[tuple[str, ...]] = ()

    @override
    def records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        if self.may_read():
            self.claim_state()
            yield from self.user_records(context)

    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        yield from self.request_records(context)

    @override
    def post_process(self, record: dict, context: Context | None = None) -> dict | None:
        record["listener_id"] = self.listener.id()
        return super().post_process(record, context)

    def claim_state(self) -> None:
        """State is per listener: a state another listener's run left is set aside."""
        state = self.stream_state
        owner, listener = state.get("listener_id"), self.listener.id()
        if owner is not None and owner != listener:
            self.logger.warning("%s: the state belongs to listener %s, this run reads %s; "
                                "starting afresh for %s.", self.name, owner, listener, listener)
            state.clear()
        state["listener_id"] = listener

    def bookmark(self, context: Context | None) -> dt.datetime | None:
        """The last run's bookmark, or None; one in the future (a hand-edited or foreign
        state) would hide every record for ever, so it is set aside with a warning."""
        value = self.get_starting_replication_key_value(context)
        when = parse_time(str(value)) if value else None
        if when is not None and when > now() + CLOCK_SKEW:
            self.logger.warning("%s: the state's bookmark %s is in the future; reading as "
                                "if there were none.", self.name, value)
            self.get_context_state(context).pop("replication_key_value", None)
            return None
        return when

    def may_read(self) -> bool:
        """Whether there is a listener's authorization, and it has this stream's scope."""
        if not self.settings.refresh_token:
            if not self.settings.history_only:
                self.client.say_once(
                    "User streams are skipped: no refresh_token is set. Run `tap-spotify "
                    "login` once to enable them.")
            return False
        self.authenticator.current_token()
        granted = self.authenticator.scopes
        if granted is not None and self.scope not in granted:
            self.logger.warning(
                "%s is skipped: your authorization lacks the %s scope. Run `tap-spotify "
                "login` again (with --scopes including %s if you narrowed them).",
                self.name, self.scope, self.scope)
            return False
        return True


class MeStream(UserStream):
    """The listener's profile (the `/me` the run's listener was read from)."""

    name = "me"
    path = "/me"
    primary_keys: t.ClassVar[list[str]] = ["listener_id"]
    schema = schemas.ME
    scope = "user-read-private"
    extra_scopes = ("user-read-email",)

    @override
    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        profile = self.listener.profile()
        if profile is not None:
            yield dict(profile)


class RecentlyPlayedStream(UserStream):
    """The last plays, incremental on `played_at`, emitted oldest first. Spotify keeps
    only the last 50; a play at or before the bookmark, or dated in the future, is not
    emitted whatever the server sends."""

    name = "recently_played"
    path = "/me/player/recently-played"
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "played_at"]
    replication_key = "played_at"
    is_sorted = True  # sorted here before they are emitted
    schema = schemas.RECENTLY_PLAYED
    scope = "user-read-recently-played"

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.since: dt.datetime | None = None  # this run's bookmark

    @override
    def get_new_paginator(self) -> None:  # type: ignore[override]
        return None  # one page holds every play Spotify still has

    @override
    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        params: dict[str, t.Any] = {"limit": spotify.READABLE_PLAYS}
        if self.since is not None:
            params["after"] = int(self.since.timestamp() * 1000)
        return params

    @override
    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        self.since = self.bookmark(context)
        latest = now() + CLOCK_SKEW
        plays, future = [], 0
        for play in self.request_records(context):
            played_at = play_time(play)
            if played_at is None:
                raise MalformedAnswer("recently_played: Spotify sent a play without a "
                                      "readable played_at: the answer is malformed. Run "
                                      "again later, and report it if it persists.")
            if played_at > latest:
                future += 1
            elif self.since is None or played_at > self.since:
                plays.append((played_at, play))
        if future:
            self.logger.warning("recently_played: %d plays are dated in the future and were "
                                "not emitted (a server clock or data error).", future)
        if self.since is not None and len(plays) >= spotify.READABLE_PLAYS:
            self.logger.warning(
                "recently_played: %d new plays since the last run, as many as Spotify keeps, "
                "so plays may have been missed in between. Run the tap more often (every "
                "few hours for heavy listening).", len(plays))
        plays.sort(key=lambda pair: pair[0])
        for _, play in plays:
            yield play


class TopItemsStream(UserStream):
    """The listener's top items in each time range, as a daily snapshot: records keyed
    on `time_range`, `rank` and `snapshot_date`, so daily runs build a history."""

    primary_keys: t.ClassVar[list[str]] = ["listener_id", "time_range", "rank",
                                           "snapshot_date"]
    state_partitioning_keys: t.ClassVar[list[str]] = []
    scope = "user-top-read"

    @property
    @override
    def partitions(self) -> list[dict]:
        return [{"time_range": time_range} for time_range in spotify.TIME_RANGES]

    @override
    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        assert context is not None
        return {"time_range": context["time_range"], "limit": spotify.MAX_PAGE_SIZE,
                "offset": 0}

    @override
    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        today = now().date().isoformat()
        for rank, item in enumerate(self.request_records(context), start=1):
            yield {"time_range": context["time_range"], "rank": rank, "snapshot_date": today,
                   **item}


class TopTracksStream(TopItemsStream):
    name = "top_tracks"
    path = "/me/top/tracks"
    schema = schemas.TOP_TRACK


class TopArtistsStream(TopItemsStream):
    name = "top_artists"
    path = "/me/top/artists"
    schema = schemas.TOP_ARTIST


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


class FollowedArtistsStream(UserStream):
    """Artists the listener follows (Spotify pages them with an `after` cursor)."""

    name = "followed_artists"
    path = "/me/following"
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "id"]
    schema = schemas.FOLLOWED_ARTIST
    scope = "user-follow-read"
    items_key = ("artists", "items")

    @override
    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {"type": "artist", "limit": spotify.MAX_PAGE_SIZE}


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


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def parse_time(value: str) -> dt.datetime:
    """Spotify's date-times (`2026-02-25T20:15:20.497Z`), timezone-aware."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def play_time(play: dict) -> dt.datetime | None:
    """A play's `played_at`; None (the record check then names it) when unreadable."""
    value = play.get("played_at")
    try:
        return parse_time(value) if isinstance(value, str) else None
    except ValueError:
        return None
