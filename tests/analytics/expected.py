"""What the marts must hold, computed from the emulator's own data and the synthetic
downloads (never from the warehouse)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from devkit.listening import Listening
from spotify_emulator import EmulatorServer
from tap_spotify.spotify import READABLE_PLAYS, TIME_RANGES


def utc(ms: int) -> dt.datetime:
    """Epoch milliseconds as a naive UTC datetime, to the second (as loaded)."""
    return dt.datetime.fromtimestamp(ms // 1000, tz=dt.timezone.utc).replace(tzinfo=None)


def second(value: object) -> str:
    """A timestamp (datetime or text) as 'YYYY-MM-DD HH:MM:SS'."""
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
    return text.replace("T", " ")[:19]


@dataclass(frozen=True)
class ApiPlay:
    played_at: dt.datetime  # naive UTC
    track_id: str
    duration_ms: int
    artist_name: str  # the track's main artist


@dataclass(frozen=True)
class Plays:
    """One listener's plays as fct_plays must hold them."""

    history_rows: int
    history_ms: int
    matched: frozenset[str]  # played_at (text, to the second) of the matched API plays
    api_only: tuple[ApiPlay, ...]
    #: (started_at UTC, ms_played, main artist or None for episodes) of every play.
    every_play: tuple[tuple[dt.datetime, int, str | None], ...]

    @property
    def rows(self) -> int:
        return self.history_rows + len(self.api_only)

    @property
    def ms(self) -> int:
        return self.history_ms + sum(p.duration_ms for p in self.api_only)


def api_plays(emu: EmulatorServer, user: str) -> list[ApiPlay]:
    """What recently_played returns for the user: their newest readable plays."""
    return [ApiPlay(utc(p.played_at), p.track.track.id, p.track.track.duration_ms,
                    p.track.track.artists[0].name)
            for p in emu.backend.users.library(user).plays[:READABLE_PLAYS]]


def plays(emu: EmulatorServer, user: str, listening: Listening | None,
          *, api: bool) -> Plays:
    """fct_plays of one listener: the download (if loaded) plus the API plays (if
    loaded) that the download does not hold."""
    readable = api_plays(emu, user) if api else []
    history = listening.plays if listening is not None else ()
    matched = (frozenset(second(utc(played_at)) for played_at, _uri, _ts in listening.overlap)
               if listening is not None and api else frozenset())
    api_only = tuple(p for p in readable if second(p.played_at) not in matched)
    every = [(h.started_at.replace(tzinfo=None), h.ms_played,
              h.creator if h.kind == "track" else None) for h in history]
    every += [(p.played_at, p.duration_ms, p.artist_name) for p in api_only]
    return Plays(history_rows=len(history), history_ms=sum(h.ms_played for h in history),
                 matched=matched, api_only=api_only, every_play=tuple(every))


def local_day_hour(started_at: dt.datetime, time_zone: str) -> tuple[str, int]:
    """The day and hour a play started, in a time zone."""
    local = started_at.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(time_zone))
    return local.date().isoformat(), local.hour


@dataclass(frozen=True)
class Library:
    saved_tracks: frozenset[str]
    saved_albums: frozenset[str]
    followed_artists: frozenset[str]
    #: artist id -> best rank (1-based) over every time range of today's snapshot.
    top_artists: dict[str, int]
    top_artist_rows: int
    top_track_rows: int
    playlists: int
    playlist_items: int


def library(emu: EmulatorServer, user: str) -> Library:
    lib = emu.backend.users.library(user)
    best: dict[str, int] = {}
    for time_range in TIME_RANGES:
        for rank, artist in enumerate(lib.top_artists[time_range], start=1):
            best[artist.id] = min(rank, best.get(artist.id, rank))
    playlists = [emu.backend.users.playlist(p) for p in lib.playlist_ids]
    return Library(
        saved_tracks=frozenset(s.item.track.id for s in lib.saved_tracks),
        saved_albums=frozenset(s.item.id for s in lib.saved_albums),
        followed_artists=frozenset(a.id for a in lib.followed),
        top_artists=best,
        top_artist_rows=sum(len(lib.top_artists[r]) for r in TIME_RANGES),
        top_track_rows=sum(len(lib.top_tracks[r]) for r in TIME_RANGES),
        playlists=len(playlists),
        playlist_items=sum(len(p.items) for p in playlists if p is not None),
    )


def first_listeners(plays_by_listener: dict[str, Plays]) -> dict[str, str]:
    """artist -> the listener who played them first, for artists two or more played."""
    first: dict[str, list[tuple[dt.datetime, str]]] = {}
    for listener, p in plays_by_listener.items():
        mine: dict[str, dt.datetime] = {}
        for started, _ms, artist in p.every_play:
            if artist is not None and (artist not in mine or started < mine[artist]):
                mine[artist] = started
        for artist, started in mine.items():
            first.setdefault(artist, []).append((started, listener))
    return {artist: min(times)[1] for artist, times in first.items() if len(times) > 1}


def pairs(ids: Iterable[str]) -> list[tuple[str, str]]:
    ordered = sorted(ids)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:]]
