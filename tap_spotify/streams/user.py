"""The listener's own data: profile, plays, top items, library, follows and playlists.

They need a listener's authorization (`tap-spotify login` stores a refresh token);
each stream needs one scope of it, and skips itself with a warning when the token
lacks it. Every record carries its `listener_id`, and every key includes it.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.client import SpotifyStream
from tap_spotify.errors import MalformedAnswer
from tap_spotify.schemas import user as schemas

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


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
                    "User streams are skipped: no refresh_token is set. Run "
                    f"`{self.client.login}` once to enable them.")
            return False
        self.authenticator.current_token()
        granted = self.authenticator.scopes
        if granted is not None and self.scope not in granted:
            self.logger.warning(
                "%s is skipped: your authorization lacks the %s scope. Run `%s` again "
                "(with --scopes including %s if you narrowed them).",
                self.name, self.scope, self.client.login, self.scope)
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
