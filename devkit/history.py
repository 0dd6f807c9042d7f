"""Synthetic extended-history downloads in the shape Spotify writes them (the 2023+
`Streaming_History_Audio_*.json` files and the account-data `StreamingHistory_*.json`),
made up from the emulator's catalog: no real personal data. The full set of shapes and
eras is in tests/history/synthetic.py; this is the part the analytics need."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Extended streaming history, in file order.
EXTENDED_FIELDS = (
    "ts", "platform", "ms_played", "conn_country", "ip_addr",
    "master_metadata_track_name", "master_metadata_album_artist_name",
    "master_metadata_album_album_name", "spotify_track_uri", "episode_name",
    "episode_show_name", "spotify_episode_uri", "audiobook_title", "audiobook_uri",
    "audiobook_chapter_uri", "audiobook_chapter_title", "reason_start", "reason_end",
    "shuffle", "skipped", "offline", "offline_timestamp", "incognito_mode",
)
PER_FILE = 500


@dataclass(frozen=True)
class Play:
    """One play as Spotify stores it: a track or a podcast episode."""

    ts: dt.datetime  # when playback stopped, UTC, whole seconds
    ms_played: int
    kind: str  # "track" or "episode"
    uri: str
    name: str
    creator: str  # the artist or the show
    album: str | None
    platform: str = "android"
    country: str = "SE"
    incognito: bool = False

    @property
    def started_at(self) -> dt.datetime:
        return self.ts - dt.timedelta(milliseconds=self.ms_played)


def extended_record(play: Play) -> dict:
    track, episode = play.kind == "track", play.kind == "episode"
    values = {
        "ts": play.ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "platform": play.platform,
        "ms_played": play.ms_played, "conn_country": play.country, "ip_addr": "192.0.2.1",
        "master_metadata_track_name": play.name if track else None,
        "master_metadata_album_artist_name": play.creator if track else None,
        "master_metadata_album_album_name": play.album if track else None,
        "spotify_track_uri": play.uri if track else None,
        "episode_name": play.name if episode else None,
        "episode_show_name": play.creator if episode else None,
        "spotify_episode_uri": play.uri if episode else None,
        "audiobook_title": None, "audiobook_uri": None, "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None, "reason_start": "trackdone",
        "reason_end": "trackdone", "shuffle": False, "skipped": False, "offline": False,
        "offline_timestamp": 0, "incognito_mode": play.incognito,
    }
    return {name: values[name] for name in EXTENDED_FIELDS}


def account_record(play: Play) -> dict:
    end = play.ts.strftime("%Y-%m-%d %H:%M")
    if play.kind == "episode":
        return {"endTime": end, "podcastName": play.creator, "episodeName": play.name,
                "msPlayed": play.ms_played}
    return {"endTime": end, "artistName": play.creator, "trackName": play.name,
            "msPlayed": play.ms_played}


def _chunks(items: Sequence[Play], size: int) -> Iterable[Sequence[Play]]:
    for first in range(0, len(items), size):
        yield items[first:first + size]


def _write(path: Path, records: list[dict]) -> None:
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


def write_extended(folder: Path, plays: Sequence[Play]) -> list[Path]:
    """`Streaming_History_Audio_YYYY[-YYYY]_N.json` files, plays in time order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, chunk in enumerate(_chunks(sorted(plays, key=lambda p: p.ts), PER_FILE)):
        first, last = chunk[0].ts.year, chunk[-1].ts.year
        years = str(first) if first == last else f"{first}-{last}"
        paths.append(folder / f"Streaming_History_Audio_{years}_{n}.json")
        _write(paths[-1], [extended_record(p) for p in chunk])
    return paths


def write_account(folder: Path, plays: Sequence[Play], username: str) -> list[Path]:
    """`StreamingHistory_music_N.json` / `_podcast_N.json` and `Userdata.json`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    ordered = sorted(plays, key=lambda p: p.ts)
    for infix, kind in (("music_", "track"), ("podcast_", "episode")):
        group = [p for p in ordered if p.kind == kind]
        for n, chunk in enumerate(_chunks(group, PER_FILE)):
            paths.append(folder / f"StreamingHistory_{infix}{n}.json")
            _write(paths[-1], [account_record(p) for p in chunk])
    (folder / "Userdata.json").write_text(json.dumps({"username": username, "country": "SE"}))
    return paths
