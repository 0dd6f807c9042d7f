"""A listener's synthetic extended-history download that overlaps what the emulator's
`recently_played` returns for them, so that `fct_plays` has plays to match.

The download holds four weeks of earlier listening (catalog tracks, a few podcast
episodes, some plays too short to count for recently_played) and the oldest `overlap`
plays the API can read, as Spotify would write them: `ts` when playback stopped. Half
stop a song length after `played_at` (played_at = start), half two seconds after it
(played_at = end): the matching rule must take both. The newest readable plays are
after the download was made: only the API has them. `late_evening` adds one play that
starts at 23:30:00 UTC on 2025-01-15, to check days in a listener's own time zone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from devkit.history import Play, write_account, write_extended
from spotify_emulator import EmulatorServer
from tap_spotify.spotify import READABLE_PLAYS

#: The start of the `late_evening` play: 23:30 UTC, 00:30 the next day in Madrid (CET).
LATE_EVENING_START = dt.datetime(2025, 1, 15, 23, 30, tzinfo=dt.timezone.utc)
LATE_EVENING_MS = 180_000


@dataclass(frozen=True)
class Listening:
    user: str  # the emulator's user id (the download's username)
    history_dir: Path
    plays: tuple[Play, ...]  # every play of the download
    readable: int  # recently_played rows the API returns
    matched: int  # of those, the ones the download holds too
    #: The overlap: (played_at in ms, track URI, the history's ts) of each play in both.
    overlap: tuple[tuple[int, str, dt.datetime], ...] = field(default=())

    @property
    def history_plays(self) -> int:
        return len(self.plays)

    @property
    def history_ms(self) -> int:
        return sum(p.ms_played for p in self.plays)

    @property
    def api_only(self) -> int:
        return self.readable - self.matched


def _utc(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms // 1000, tz=dt.timezone.utc)


def write_listening(emu: EmulatorServer, folder: Path, user: str | None = None, *,
                    overlap: int = 30, background: int = 400, seed: int = 7,
                    late_evening: bool = False) -> Listening:
    user = user or emu.backend.users.default_user
    rng = random.Random(f"{seed}/{user}")
    readable = emu.backend.users.library(user).plays[:READABLE_PLAYS]  # newest first
    overlap = min(overlap, len(readable))
    oldest = readable[len(readable) - overlap:]
    pool = emu.backend.users.data.track_pool

    def play(ts: dt.datetime, ms: int, uri: str, name: str, creator: str,
             album: str | None, kind: str = "track") -> Play:
        return Play(ts=ts, ms_played=ms, kind=kind, uri=uri, name=name, creator=creator,
                    album=album, platform=rng.choice(("android", "ios", "windows")))

    history: list[Play] = []
    # Four weeks of earlier listening, mostly evenings, ending a day before the API's plays.
    first_api = _utc(readable[-1].played_at if readable else emu.backend.users.now_ms())
    for _ in range(background):
        day = first_api - dt.timedelta(days=rng.randint(1, 28))
        hour = rng.choice((7, 8, 12, 17, 18, 19, 20, 21, 21, 22, 22, 23))
        ts = day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))
        if rng.random() < 0.05:
            history.append(play(ts, rng.randint(60_000, 1_800_000),
                                f"spotify:episode:SyntheticEpisode{rng.randint(0, 9):07d}",
                                "An episode", "A show", None, kind="episode"))
            continue
        ref = rng.choice(pool)
        ms = ref.track.duration_ms if rng.random() < 0.8 else rng.randint(1_000, 29_000)
        history.append(play(ts, ms, f"spotify:track:{ref.track.id}", ref.track.name,
                            ref.album.artists[0].name, ref.album.name))
    if late_evening:
        ref = pool[0]
        history.append(play(LATE_EVENING_START + dt.timedelta(milliseconds=LATE_EVENING_MS),
                            LATE_EVENING_MS, f"spotify:track:{ref.track.id}", ref.track.name,
                            ref.album.artists[0].name, ref.album.name))
    # The overlap: the same plays as recently_played has them.
    pairs = []
    for i, p in enumerate(oldest):
        duration = p.track.track.duration_ms
        stop = p.played_at + (duration if i % 2 else 2_000)
        history.append(play(_utc(stop), duration, f"spotify:track:{p.track.track.id}",
                            p.track.track.name, p.track.album.artists[0].name,
                            p.track.album.name))
        pairs.append((p.played_at, f"spotify:track:{p.track.track.id}", _utc(stop)))
    history.sort(key=lambda h: h.ts)
    write_extended(folder / "extended", history)
    write_account(folder / "account", history, username=user)
    return Listening(user=user, history_dir=folder, plays=tuple(history),
                     readable=len(readable), matched=overlap, overlap=tuple(pairs))
