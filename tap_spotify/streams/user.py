"""The user's own data: profile, plays, top items, library, follows and playlists.

They need a user's authorization (`tap-spotify login` stores a refresh token); each
stream needs one scope of it, and skips itself with a warning when the token lacks it.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from tap_spotify.client import SpotifyStream, body_of
from tap_spotify.errors import Forbidden
from tap_spotify.schemas import user as schemas

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

#: Spotify keeps this many plays readable, whatever the cursors.
READABLE_PLAYS = 50
TIME_RANGES = ("short_term", "medium_term", "long_term")


class UserStream(SpotifyStream):
    """A stream of the authorized user's data."""

    #: The scope of the user's authorization this stream needs.
    scope: t.ClassVar[str]

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        if self.may_read():
            yield from self.user_records(context)

    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        yield from self.request_records(context)

    def bookmark(self, context: Context | None) -> dt.datetime | None:
        """The last run's bookmark, or None; one in the future (a hand-edited or foreign
        state) would hide every record for ever, so it is set aside with a warning."""
        value = self.get_starting_replication_key_value(context)
        if not value:
            return None
        when = parse_time(str(value))
        if when > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5):
            self.logger.warning("%s: the state's bookmark %s is in the future; reading as "
                                "if there were none.", self.name, value)
            self.get_context_state(context).pop("replication_key_value", None)
            return None
        return when

    def may_read(self) -> bool:
        """Whether there is a user's authorization, and it has this stream's scope."""
        if not self.config.get("refresh_token"):
            self.client.say_once(
                "User streams (me, recently_played, top_tracks, top_artists, saved_tracks, "
                "saved_albums, followed_artists, playlists, playlist_items) are skipped: no "
                "refresh_token is set. Run `tap-spotify login` once to enable them.")
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
    """The user's profile."""

    name = "me"
    path = "/me"
    primary_keys = ("id",)
    schema = schemas.ME
    scope = "user-read-private"

    def get_new_paginator(self) -> None:  # type: ignore[override]
        return None

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {}

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        yield body_of(response)


class RecentlyPlayedStream(UserStream):
    """The last plays, incremental on `played_at`. Spotify keeps only the last 50."""

    name = "recently_played"
    path = "/me/player/recently-played"
    primary_keys = ("played_at",)
    replication_key = "played_at"
    is_sorted = True  # emitted oldest first
    schema = schemas.RECENTLY_PLAYED
    scope = "user-read-recently-played"
    since: dt.datetime | None = None  # this run's bookmark

    def get_new_paginator(self) -> None:  # type: ignore[override]
        return None  # one page holds every play Spotify still has

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        params: dict[str, t.Any] = {"limit": READABLE_PLAYS}
        if self.since is not None:
            params["after"] = int(self.since.timestamp() * 1000)
        return params

    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        self.since = self.bookmark(context)
        plays = sorted(self.request_records(context), key=lambda p: parse_time(p["played_at"]))
        if self.since is not None and len(plays) >= READABLE_PLAYS:
            self.logger.warning(
                "recently_played: %d new plays since the last run, as many as Spotify keeps, "
                "so plays may have been missed in between. Run the tap more often (every "
                "few hours for heavy listening).", len(plays))
        yield from plays


class TopItemsStream(UserStream):
    """The user's top items in each time range, as a daily snapshot: records keyed on
    `time_range`, `rank` and `snapshot_date`, so daily runs build a history."""

    primary_keys = ("time_range", "rank", "snapshot_date")
    state_partitioning_keys: t.ClassVar[list[str]] = []
    scope = "user-top-read"

    @property
    def partitions(self) -> list[dict]:
        return [{"time_range": time_range} for time_range in TIME_RANGES]

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        assert context is not None
        return {"time_range": context["time_range"], "limit": 50, "offset": 0}

    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        today = dt.datetime.now(dt.timezone.utc).date().isoformat()
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
    """The user's library, newest first from Spotify: incremental on `added_at`, pages
    read only down to the bookmark, records emitted oldest first."""

    replication_key = "added_at"
    is_sorted = True
    scope = "user-library-read"
    #: The key of the saved object in each item, and the record's key field.
    kind: t.ClassVar[str]

    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        since = self.bookmark(context)
        new = []
        for item in self.request_records(context):  # stops asking at the bookmark
            if since is not None and parse_time(item["added_at"]) <= since:
                break
            saved = item.get(self.kind) or {}
            new.append({f"{self.kind}_id": saved.get("id"), **item})
        yield from reversed(new)


class SavedTracksStream(SavedItemsStream):
    name = "saved_tracks"
    path = "/me/tracks"
    primary_keys = ("track_id",)
    schema = schemas.SAVED_TRACK
    kind = "track"


class SavedAlbumsStream(SavedItemsStream):
    name = "saved_albums"
    path = "/me/albums"
    primary_keys = ("album_id",)
    schema = schemas.SAVED_ALBUM
    kind = "album"


class FollowedArtistsStream(UserStream):
    """Artists the user follows (Spotify pages them with an `after` cursor)."""

    name = "followed_artists"
    path = "/me/following"
    primary_keys = ("id",)
    schema = schemas.FOLLOWED_ARTIST
    scope = "user-follow-read"
    items_key = ("artists", "items")

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {"type": "artist", "limit": 50}


class PlaylistsStream(UserStream):
    """Playlists the user owns, collaborates on or follows. Their items are read again
    only when a playlist's `snapshot_id` changed since the last run."""

    name = "playlists"
    path = "/me/playlists"
    primary_keys = ("id",)
    schema = schemas.PLAYLIST
    scope = "playlist-read-private"

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed: set[str] = set()

    @property
    def snapshots(self) -> dict[str, str]:
        """State: the snapshot of each playlist whose items were synced."""
        return t.cast("dict[str, str]", self.stream_state.setdefault("snapshots", {}))

    def post_process(self, record: dict, context: Context | None = None) -> dict | None:
        items = record.pop("tracks", None)  # Spotify's name before 2026
        record.setdefault("items", items)
        self.listed.add(record["id"])
        return record

    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        snapshot = record.get("snapshot_id")
        if snapshot and self.snapshots.get(record["id"]) == snapshot:
            return
        yield {"playlist_id": record["id"], "snapshot_id": snapshot}
        if any(child.selected for child in self.child_streams):  # its items are out
            self.snapshots[record["id"]] = str(snapshot)
            self.state_manager.is_flushed = False

    def finalize_state_progress_markers(self, state: dict | None = None) -> None:
        """Forget playlists the user no longer has; say which ones Spotify withheld."""
        if self.listed:
            for playlist_id in set(self.snapshots) - self.listed:
                del self.snapshots[playlist_id]
        for child in self.child_streams:
            if isinstance(child, PlaylistItemsStream) and child.forbidden:
                self.logger.warning(
                    "playlist_items: %d playlists skipped: Spotify answered 403 to their "
                    "items, as it does for Development Mode apps on playlists the user "
                    "neither owns nor collaborates on.", child.forbidden)
        super().finalize_state_progress_markers(state)


class PlaylistItemsStream(UserStream):
    """The items of each playlist, in order, keyed on `playlist_id` and `position`."""

    name = "playlist_items"
    path = "/playlists/{playlist_id}/items"
    primary_keys = ("playlist_id", "position")
    schema = schemas.PLAYLIST_ITEM
    scope = "playlist-read-private"
    parent_stream_type = PlaylistsStream
    state_partitioning_keys: t.ClassVar[list[str]] = []

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.forbidden = 0

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {"limit": 100, "offset": 0, **self.market_params}

    def user_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        try:
            for position, item in enumerate(self.request_records(context)):
                entry = item.pop("item", None) or item.pop("track", None)
                item.pop("track", None)  # both names are sent during the renaming
                yield {"playlist_id": context["playlist_id"], "position": position,
                       "snapshot_id": context["snapshot_id"], **item, "item": entry}
        except Forbidden:
            self.forbidden += 1


def parse_time(value: str) -> dt.datetime:
    """Spotify's date-times (`2026-02-25T20:15:20.497Z`), timezone-aware."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
