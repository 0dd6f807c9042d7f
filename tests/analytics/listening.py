"""A listener for the analytics tests and scripts/analytics.sh: the emulator's user
(recently_played from the API) plus a synthetic extended-history download that
overlaps it, so that `fct_plays` has plays to match.

The download holds four weeks of earlier listening (catalog tracks, a few podcast
episodes) and the oldest `overlap` of the plays `recently_played` can read (50), as
Spotify would write them: `ts` when playback stopped. Half stop a song length after
`played_at` (played_at = start), half two seconds after it (played_at = end): the
matching rule must take both. The newest readable plays are after the download was
made: only the API has them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from spotify_emulator import EmulatorServer
from tests.history.synthetic import Play, write_account, write_extended

READABLE = 50  # plays GET /me/player/recently-played can return


@dataclass(frozen=True)
class Listening:
    history_dir: Path
    history_plays: int  # rows of streaming_history (audio and video files)
    matched: int  # recently_played rows that are also in the download
    api_only: int  # recently_played rows after the download
    history_ms: int  # sum of ms_played in the download
    #: The overlap: (played_at in ms, track URI, the history's ts) of each play in both.
    overlap: tuple[tuple[int, str, dt.datetime], ...] = ()


def _utc(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms // 1000, tz=dt.timezone.utc)


def write_listening(emu: EmulatorServer, folder: Path, *, overlap: int = 30,
                    background: int = 400, seed: int = 7) -> Listening:
    rng = random.Random(seed)
    plays = emu.backend.users.library().plays[:READABLE]  # newest first
    oldest = plays[-overlap:]
    pool = emu.backend.users.data.track_pool
    history: list[Play] = []

    def play(ts: dt.datetime, ms: int, uri: str | None, name: str, creator: str,
             album: str | None, kind: str = "track") -> Play:
        return Play(ts=ts, ms_played=ms, kind=kind, uri=uri, name=name, creator=creator,
                    album=album, platform=rng.choice(("android", "ios", "windows")),
                    country="SE", reason_start="trackdone", reason_end="trackdone",
                    shuffle=False, skipped=False, offline=False, incognito=False, video=False)

    # Four weeks of earlier listening, mostly evenings, ending a day before the API's plays.
    first_api = _utc(oldest[-1].played_at)
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
    write_account(folder / "account", history)
    return Listening(history_dir=folder, history_plays=len(history), matched=overlap,
                     api_only=len(plays) - overlap,
                     history_ms=sum(h.ms_played for h in history), overlap=tuple(pairs))
