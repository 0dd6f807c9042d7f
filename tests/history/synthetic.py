"""Synthetic Spotify privacy exports, written from the published field lists.

No real personal data: track and show names are made up, URIs are random base62,
IP addresses come from the documentation ranges (RFC 5737). A `Play` is one
listening event; `extended_record` and `account_record` render it the way each
export format (and each era of file names) spells it. Where each shape was seen:

- Streaming_History_Audio/Video_*.json, 23 keys in this order (2025 on):
  https://lexffe.xyz/tech-blog/spotify-history/ and
  https://jrtechs.net/data-science/the-data-spotify-collected-on-me-over-ten-years
  (January 2026); audiobook plays carry audiobook_uri spotify:show:... and
  audiobook_chapter_uri spotify:episode:..., their track and episode URIs null;
- endsong_*.json, 21 keys with username and the *_decrypted fields (until 2024):
  https://github.com/metabrainz/listenbrainz-server/pull/1800 (2021) and
  https://ericchiang.github.io/post/spotify/ (February 2024);
- account data: StreamingHistory_music_N.json {endTime, artistName, trackName, msPlayed}
  (https://support.spotify.com/us/article/understanding-my-data/),
  StreamingHistory_podcast_N.json {endTime, podcastName, episodeName, msPlayed}
  (https://github.com/Yooooomi/your_spotify/issues/391),
  StreamingHistory_audiobook_N.json {endTime, audiobookName, chapterName, authorName,
  msPlayed} (/work/shared/spotify/README.md, "Shapes seen in real data"; the file in
  https://jrtechs.net/data-science/the-data-spotify-collected-on-me-over-ten-years),
  Userdata.json with `username`, and the older mixed StreamingHistoryN.json
  (https://github.com/countervolts/Spotify-Stats-Calculator,
  still_confused_on_downloads.md).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from devkit.history import EXTENDED_FIELDS

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
EPOCH = dt.datetime(2016, 3, 1, tzinfo=dt.timezone.utc)

#: The older `endsong_*.json`: username, decrypted IP and user agent, no audiobooks.
ENDSONG_FIELDS = (
    "ts", "username", "platform", "ms_played", "conn_country", "ip_addr_decrypted",
    "user_agent_decrypted", "master_metadata_track_name",
    "master_metadata_album_artist_name", "master_metadata_album_album_name",
    "spotify_track_uri", "episode_name", "episode_show_name", "spotify_episode_uri",
    "reason_start", "reason_end", "shuffle", "skipped", "offline", "offline_timestamp",
    "incognito_mode",
)


@dataclass(frozen=True)
class Play:
    """One play as Spotify stores it, before an export format spells it."""

    ts: dt.datetime  # when playback stopped, UTC, whole seconds
    ms_played: int
    kind: str  # track, episode, audiobook or local (a local file: no URI)
    uri: str | None
    name: str
    creator: str  # artist, show or audiobook
    album: str | None
    platform: str
    country: str
    reason_start: str
    reason_end: str
    shuffle: bool
    skipped: bool | None
    offline: bool
    incognito: bool
    video: bool  # a video podcast play: Streaming_History_Video_*.json

    @property
    def ts_text(self) -> str:
        return self.ts.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def end_time(self) -> str:
        """Account data's `endTime`: UTC, to the minute."""
        return self.ts.strftime("%Y-%m-%d %H:%M")


def make_plays(count: int, *, seed: int = 0, start: dt.datetime = EPOCH,
               same_ts_every: int = 25, video_every: int = 40) -> list[Play]:
    """`count` plays in time order, a few seconds to minutes apart. Every
    `same_ts_every`-th play stops in the same second as the one before (a skip on
    another device); every `video_every`-th is a video podcast."""
    rng = random.Random(seed)
    tracks = [("spotify:track:" + "".join(rng.choices(BASE62, k=22)),
               f"Track {i}", f"Artist {i % 97}", f"Album {i % 211}") for i in range(500)]
    episodes = [("spotify:episode:" + "".join(rng.choices(BASE62, k=22)),
                 f"Episode {i}", f"Show {i % 13}") for i in range(60)]
    chapters = [("spotify:episode:" + "".join(rng.choices(BASE62, k=22)),
                 f"Chapter {i}", f"Audiobook {i % 5}") for i in range(20)]
    plays: list[Play] = []
    ts = start
    for i in range(count):
        if not (same_ts_every and i and i % same_ts_every == 0):
            ts += dt.timedelta(seconds=rng.randint(5, 400))
        roll = rng.random()
        video = bool(video_every) and i % video_every == video_every - 1
        if video or roll < 0.08:
            uri, name, creator = rng.choice(episodes)
            kind, album = "episode", None
        elif roll < 0.10:
            uri, name, creator = rng.choice(chapters)
            kind, album = "audiobook", None
        elif roll < 0.12:
            kind, uri, name, creator, album = "local", None, f"Local {i % 7}", "Local", None
        else:
            uri, name, creator, album = rng.choice(tracks)
            kind = "track"
        skipped = rng.random() < 0.3
        plays.append(Play(
            ts=ts, ms_played=0 if rng.random() < 0.1 else rng.randint(1, 400_000), kind=kind,
            uri=uri, name=name, creator=creator, album=album,
            platform=rng.choice(("android", "ios", "windows", "web_player")),
            country=rng.choice(("ES", "SE", "DE", "US")),
            reason_start=rng.choice(("trackdone", "clickrow", "fwdbtn", "playbtn")),
            reason_end="fwdbtn" if skipped else rng.choice(("trackdone", "endplay", "logout")),
            shuffle=rng.random() < 0.4, skipped=skipped if rng.random() < 0.8 else None,
            offline=rng.random() < 0.05, incognito=rng.random() < 0.02, video=video,
        ))
    return plays


def extended_record(play: Play, *, old: bool = False,
                    username: str = "synthetic-user") -> dict:
    """The play as extended streaming history spells it: `endsong_*.json` when `old`,
    else `Streaming_History_*.json` (audiobook fields, plain `ip_addr`)."""
    track, episode, book = (play.kind in ("track", "local"), play.kind == "episode",
                            play.kind == "audiobook")
    values = {
        "ts": play.ts_text, "username": username, "platform": play.platform,
        "ms_played": play.ms_played, "conn_country": play.country,
        "ip_addr": "192.0.2.1", "ip_addr_decrypted": "198.51.100.7",
        "user_agent_decrypted": "unknown",
        "master_metadata_track_name": play.name if track else None,
        "master_metadata_album_artist_name": play.creator if track else None,
        "master_metadata_album_album_name": play.album if track else None,
        "spotify_track_uri": play.uri if play.kind == "track" else None,
        "episode_name": play.name if episode else None,
        "episode_show_name": play.creator if episode else None,
        "spotify_episode_uri": play.uri if episode else None,
        "audiobook_title": play.creator if book else None,
        "audiobook_uri": "spotify:show:SyntheticAudiobook0000" if book else None,
        "audiobook_chapter_uri": play.uri if book else None,
        "audiobook_chapter_title": play.name if book else None,
        "reason_start": play.reason_start, "reason_end": play.reason_end,
        "shuffle": play.shuffle, "skipped": play.skipped, "offline": play.offline,
        "offline_timestamp": int(play.ts.timestamp() * 1000) if play.offline else 0,
        "incognito_mode": play.incognito,
    }
    if old and book:  # endsong files predate audiobooks: the chapter was an episode
        values.update(episode_name=play.name, episode_show_name=play.creator,
                      spotify_episode_uri=play.uri)
    return {name: values[name] for name in (ENDSONG_FIELDS if old else EXTENDED_FIELDS)}


def account_record(play: Play, *, old: bool = False) -> dict:
    """The play as account data spells it; podcasts and audiobooks in the old mixed
    file use the music names."""
    if play.kind == "episode" and not old:
        return {"endTime": play.end_time, "podcastName": play.creator,
                "episodeName": play.name, "msPlayed": play.ms_played}
    if play.kind == "audiobook" and not old:
        return {"endTime": play.end_time, "audiobookName": play.creator,
                "chapterName": play.name, "authorName": f"Author of {play.creator}",
                "msPlayed": play.ms_played}
    return {"endTime": play.end_time, "artistName": play.creator,
            "trackName": play.name, "msPlayed": play.ms_played}


#: Account data's file of each kind of play.
ACCOUNT_FILES = {"track": "music_", "local": "music_", "episode": "podcast_",
                 "audiobook": "audiobook_"}


def _chunks(items: Sequence[Play], size: int) -> Iterable[Sequence[Play]]:
    for first in range(0, len(items), size):
        yield items[first:first + size]


def _write_json(path: Path, records: list[dict], indent: bool) -> None:
    data = msgspec.json.encode(records)
    path.write_bytes(msgspec.json.format(data, indent=2) if indent else data)


def write_extended(folder: Path, plays: Sequence[Play], *, old: bool = False,
                   per_file: int = 500, indent: bool = True,
                   shuffle_seed: int | None = None,
                   username: str = "synthetic-user") -> list[Path]:
    """An extended streaming history folder as Spotify names its files: `endsong_N`
    when `old`, else `Streaming_History_Audio_YYYY[-YYYY]_N` and one Video file.
    `shuffle_seed` shuffles the plays inside each file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    audio = [p for p in plays if old or not p.video]
    for n, chunk in enumerate(_chunks(audio, per_file)):
        first, last = chunk[0].ts.year, chunk[-1].ts.year
        years = str(first) if first == last else f"{first}-{last}"
        name = f"endsong_{n}.json" if old else f"Streaming_History_Audio_{years}_{n}.json"
        paths.append(folder / name)
        records = [extended_record(p, old=old, username=username) for p in chunk]
        if shuffle_seed is not None:
            random.Random(shuffle_seed + n).shuffle(records)
        _write_json(paths[-1], records, indent)
    video = [p for p in plays if p.video and not old]
    if video:
        first, last = video[0].ts.year, video[-1].ts.year
        paths.append(folder / f"Streaming_History_Video_{first}-{last}.json")
        _write_json(paths[-1], [extended_record(p) for p in video], indent)
    (folder / "ReadMeFirst_ExtendedStreamingHistory.pdf").write_bytes(
        b"%PDF-1.4\n% synthetic, not a real document\n%%EOF\n")
    return paths


def write_account(folder: Path, plays: Sequence[Play], *, old: bool = False,
                  per_file: int = 500, username: str = "synthetic-user") -> list[Path]:
    """An account-data folder: `StreamingHistory_music_N`, `_podcast_N` and
    `_audiobook_N`, or the older mixed `StreamingHistoryN`; plus other account files the
    tap must pass over (Userdata.json names the account)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    groups = ({"": plays} if old else
              {infix: [p for p in plays if ACCOUNT_FILES[p.kind] == infix]
               for infix in dict.fromkeys(ACCOUNT_FILES.values())})
    for infix, group in groups.items():
        for n, chunk in enumerate(_chunks(group, per_file)):
            name = f"StreamingHistory_{infix}{n}.json" if infix else f"StreamingHistory{n}.json"
            paths.append(folder / name)
            _write_json(paths[-1], [account_record(p, old=old) for p in chunk], True)
    (folder / "Userdata.json").write_text(json.dumps({"username": username, "country": "ES"}))
    (folder / "SearchQueries.json").write_text("[]")
    (folder / "Playlist1.json").write_text('{"playlists": []}')
    return paths


def zip_folder(folder: Path, zip_path: Path, *, inside: str | None = None) -> Path:
    """Zip `folder`'s files under `inside/` (the folder's name by default), as Spotify
    ships them; a macOS resource-fork twin of one JSON member, which must be skipped."""
    inside = folder.name if inside is None else inside
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        members = sorted(p for p in folder.rglob("*") if p.is_file())
        for path in members:
            archive.write(path, f"{inside}/{path.relative_to(folder).as_posix()}")
        first_json = next((p for p in members if p.suffix == ".json"), None)
        if first_json is not None:
            archive.writestr(f"__MACOSX/{inside}/._{first_json.name}", b"\x00\x05\x16\x07")
    return zip_path
