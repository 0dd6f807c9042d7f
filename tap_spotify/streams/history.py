"""Spotify's downloadable listening history (the privacy export) as two streams.

`streaming_history` reads extended streaming history (every play since the account
opened, to the second, with URIs); `streaming_history_account` reads the account
data's StreamingHistory files (the last year, to the minute, names only).

A later export repeats every play of an earlier one, and within one export the files
are not in one time order (Audio and Video overlap). So each file is decoded on its
own, its plays sorted and spilled to a temporary file; the sorted runs are then
merged, block by block, and plays come out in time order, each once. Memory holds one
file, not the export. State is the bookmark (the last `ts`) and the `play_id`s
already emitted at that very second: plays that share it are told apart there.

A play's identity is its stop time, ms played and URI (names for account data): the
fields every era of the export spells alike. Identical plays are numbered; a run emits
as many of them as the one file holding the most has.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gc
import hashlib
import heapq
import json
import os
import re
import tempfile
import typing as t
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import msgspec
from singer_sdk import typing as th
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import Stream

from tap_spotify.errors import ConfigError, TapSpotifyError
from tap_spotify.schemas.history import STREAMING_HISTORY, STREAMING_HISTORY_ACCOUNT

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

HISTORY_SETTINGS: list[th.Property] = [
    th.Property(
        "streaming_history_path", th.OneOf(th.StringType, th.ArrayType(th.StringType)),
        description="Spotify's downloadable listening history: the .zip Spotify sent, the "
                    "folder it was extracted to, or single Streaming_History_*.json, "
                    "endsong_*.json or StreamingHistory*.json files; one path or a list. "
                    "Needs no Spotify credentials.",
    ),
]

EXTENDED, ACCOUNT = "extended", "account"
_FILE_NAMES = (
    (EXTENDED, re.compile(r"(streaming_history_(audio|video)_.*|endsong(_.*)?)\.json", re.I)),
    (ACCOUNT, re.compile(r"streaminghistory.*\.json", re.I)),
)
_OLD_NAME = re.compile(r"(endsong|streaminghistory\d).*\.json", re.I).fullmatch
EXPECTED_NAMES = "Streaming_History_Audio_*.json, Streaming_History_Video_*.json, " \
                 "endsong_*.json or StreamingHistory*.json"

#: Plays the merge holds at once, one block of each file: about one Spotify file's worth.
MERGE_PLAYS = 16_384
#: Spotify's own spelling of `ts`, which sorts as text in time order.
_CANONICAL_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").fullmatch
_END_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d").fullmatch

#: A play as the merge sees it: (ts, identity, file number, index in the file, its JSON).
Play = tuple[str, str, int, int, t.Any]


class HistoryFileError(TapSpotifyError):
    """A history file cannot be read as Spotify writes them: the message names it."""


def kind_of(name: str) -> str | None:
    """EXTENDED or ACCOUNT for a history file's name; None for any other file."""
    if name.startswith("._"):  # macOS resource forks ride along in zips
        return None
    return next((kind for kind, pattern in _FILE_NAMES if pattern.fullmatch(name)), None)


@dataclass(frozen=True)
class HistoryFile:
    """One history file: on disk, or a member of a zip."""

    kind: str
    path: Path
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.path} ({self.member})" if self.member else str(self.path)

    @property
    def name(self) -> str:
        return PurePosixPath(self.member).name if self.member else self.path.name

    def read(self) -> bytes:
        try:
            if self.member is None:
                data = self.path.read_bytes()
            else:
                with zipfile.ZipFile(self.path) as archive:
                    data = archive.read(self.member)
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
                RuntimeError) as exc:  # damaged, unsupported compression, encrypted
            raise HistoryFileError(f"{self}: cannot be read: {exc}") from None
        return data.removeprefix(codecs.BOM_UTF8)


def history_paths(setting: t.Any) -> list[str]:
    """The setting as a list of paths: one string, a list, or a JSON list in a string
    (as an environment variable carries it)."""
    if isinstance(setting, str) and setting.lstrip().startswith("["):
        with contextlib.suppress(ValueError):  # else a path that starts with "["
            setting = json.loads(setting)
    paths = [setting] if isinstance(setting, str) else list(setting or ())
    return [str(path) for path in paths if str(path).strip()]


def find_history_files(paths: Iterable[str]) -> list[HistoryFile]:
    """Every history file under the paths, in a stable order. A path that does not
    exist, a zip that is not one, or a path with no history file raises."""
    found: list[HistoryFile] = []
    for text in paths:
        path = Path(text).expanduser()
        if path.is_dir():
            files: list[HistoryFile] = []
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() == ".zip":
                    files += _zip_members(child)
                elif (kind := kind_of(child.name)) is not None:
                    files.append(HistoryFile(kind, child))
        elif path.is_file():
            kind = kind_of(path.name)
            if kind is not None:
                files = [HistoryFile(kind, path)]
            elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
                files = _zip_members(path)
            else:
                raise ConfigError(f"streaming_history_path: {path} is not a Spotify history "
                                  f"file: expected a .zip, a folder, or {EXPECTED_NAMES}.")
        else:
            raise ConfigError(f"streaming_history_path: {path} does not exist.")
        if not files:
            raise ConfigError(f"streaming_history_path: {path} holds no Spotify history "
                              f"file ({EXPECTED_NAMES}).")
        found += files
    return found


def _zip_members(path: Path) -> list[HistoryFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise HistoryFileError(f"{path}: not a zip file that can be read: {exc}") from None
    members = ((name, kind_of(PurePosixPath(name).name)) for name in sorted(names)
               if not name.endswith("/") and "__MACOSX/" not in name)
    return [HistoryFile(kind, path, name) for name, kind in members if kind is not None]


class HistorySources:
    """The files under `streaming_history_path`, looked for once and shared by both
    streams (at the first sync, so discovery never touches them)."""

    def __init__(self, setting: t.Any) -> None:
        self.paths = history_paths(setting)
        self._files: list[HistoryFile] | None = None

    def files(self, kind: str) -> list[HistoryFile]:
        """The files of one format, those with today's names first: where files hold the
        same play, the first file's record is the one emitted."""
        if self._files is None:
            self._files = find_history_files(self.paths)
        return sorted((file for file in self._files if file.kind == kind),
                      key=lambda file: _OLD_NAME(file.name) is not None)


def canonical_ts(text: str) -> str:
    """`text` as Spotify spells `ts`, YYYY-MM-DDTHH:MM:SSZ in UTC (ValueError if it is
    no date-time)."""
    if _CANONICAL_TS(text):
        return text
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"ts {text!r} is not a date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# What each format's identity is read from; every other field passes through as raw JSON.


class _ExtendedPlay(msgspec.Struct):
    ts: str
    ms_played: int = 0
    spotify_track_uri: str | None = None
    spotify_episode_uri: str | None = None
    audiobook_chapter_uri: str | None = None


class _AccountPlay(msgspec.Struct):
    endTime: str
    msPlayed: int = 0
    artistName: str | None = None
    trackName: str | None = None
    podcastName: str | None = None
    episodeName: str | None = None


def _extended_plays(compact: bytes, raws: list[msgspec.Raw], number: int,
                    since: str) -> list[Play]:
    plays = msgspec.json.decode(compact, type=list[_ExtendedPlay])
    canonical = _CANONICAL_TS
    return [(ts, f"{p.ms_played}|"
                 f"{p.spotify_track_uri or p.spotify_episode_uri or p.audiobook_chapter_uri or ''}",
             number, index, memoryview(raw))
            for index, (p, raw) in enumerate(zip(plays, raws, strict=True))
            if (ts := p.ts if canonical(p.ts) else canonical_ts(p.ts)) >= since]


def _account_plays(compact: bytes, raws: list[msgspec.Raw], number: int,
                   since: str) -> list[Play]:
    plays = msgspec.json.decode(compact, type=list[_AccountPlay])
    if bad := next((p.endTime for p in plays if not _END_TIME(p.endTime)), None):
        raise ValueError(f"endTime {bad!r} is not YYYY-MM-DD HH:MM")
    return [(ts, f"{p.msPlayed}|{p.artistName or p.podcastName or ''}|"
                 f"{p.trackName or p.episodeName or ''}", number, index, memoryview(raw))
            for index, (p, raw) in enumerate(zip(plays, raws, strict=True))
            if (ts := f"{p.endTime[:10]}T{p.endTime[11:]}:00Z") >= since]


_decode_raw_list = msgspec.json.Decoder(list[msgspec.Raw]).decode
_encode_block = msgspec.msgpack.Encoder().encode
_decode_block = msgspec.msgpack.Decoder(list[tuple[str, str, int, int, bytes]]).decode

PlayReader = t.Callable[[bytes, list[msgspec.Raw], int, str], list[Play]]


def read_plays(file: HistoryFile, number: int, reader: PlayReader,
               since: str | None) -> list[Play]:
    """The file's plays at or after `since`, sorted; raises HistoryFileError naming the
    file when it is not JSON or not a list of plays."""
    try:
        compact = msgspec.json.format(file.read(), indent=-1)  # one line per record out
        plays = reader(compact, _decode_raw_list(compact), number, since or "")
    except msgspec.ValidationError as exc:
        raise HistoryFileError(f"{file}: not a list of plays: {exc}") from None
    except msgspec.DecodeError as exc:
        raise HistoryFileError(f"{file}: not JSON: {exc}") from None
    except ValueError as exc:
        raise HistoryFileError(f"{file}: not a list of plays: {exc}") from None
    plays.sort()  # by ts and identity; the index is unique, so raw JSON is never compared
    return plays


class Spill:
    """Sorted runs of plays in one temporary file, read back a block at a time."""

    def __init__(self, file: t.BinaryIO, runs: int) -> None:
        self.file = file
        self.size = 0
        self.block = max(16, MERGE_PLAYS // max(runs, 1))

    def add(self, plays: list[Play]) -> list[tuple[int, int]]:
        """Write a run; returns where its blocks are."""
        blocks = []
        for first in range(0, len(plays), self.block):
            data = _encode_block(plays[first:first + self.block])
            blocks.append((self.size, len(data)))
            self.file.write(data)
            self.size += len(data)
        return blocks

    def read(self, blocks: list[tuple[int, int]]) -> Iterator[Play]:
        self.file.flush()
        fd = self.file.fileno()
        for offset, size in blocks:
            yield from _decode_block(os.pread(fd, size, offset))


def unique_plays(merged: Iterable[Play], bookmark: str | None, done: set[str],
                 ) -> Iterator[tuple[str, str, bytes]]:
    """(ts, play_id, JSON) of each play once, in time order. Identical plays are counted
    per file; the file with the most decides how many there were. At the bookmark's
    second, the play_ids in `done` were emitted by an earlier run."""
    md5 = hashlib.md5
    last_ts = last_identity = None
    counts: dict[int, int] = {}
    emitted = 0
    for ts, identity, number, _, raw in merged:
        if identity != last_identity or ts != last_ts:
            last_ts, last_identity, counts, emitted = ts, identity, {}, 0
        n = counts.get(number, 0)
        counts[number] = n + 1
        if n < emitted:
            continue
        emitted = n + 1
        play_id = md5(f"{ts}|{identity}|{n}".encode(), usedforsecurity=False).hexdigest()
        if ts == bookmark and play_id in done:
            continue
        yield ts, play_id, raw


class _HistoryStream(Stream):
    """A stream of plays from the history files of one format."""

    kind: t.ClassVar[str]
    reader: t.ClassVar[PlayReader]
    #: The record has no `ts` of its own (account data): add the one derived from endTime.
    adds_ts: t.ClassVar[bool] = False
    primary_keys: t.ClassVar[list[str]] = ["play_id"]
    replication_key = "ts"
    is_sorted = True
    #: Only the top level is checked: a field a new export adds is dropped with the
    #: SDK's warning, as in the API streams.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY

    def __init__(self, tap: Tap, sources: HistorySources | None = None) -> None:
        super().__init__(tap)
        self.sources = sources or HistorySources(tap.config.get("streaming_history_path"))

    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> Iterable[Context | None]:
        return ()  # no child streams: the SDK's default copies every record for nothing

    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        incremental = self.replication_method == "INCREMENTAL"
        state = self.stream_state
        bookmark, done = read_bookmark(state, self.name) if incremental else (None, set())
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if bookmark is not None and bookmark > now:  # would hide every play for ever
            self.logger.warning("%s: the state's bookmark %s is in the future; reading as if "
                                "there were none.", self.name, bookmark)
            state.pop("replication_key_value", None)
            bookmark, done = None, set()
        edge = Edge(state if incremental else {}, bookmark, done)
        written = 0
        with gc_paused(), tempfile.TemporaryFile(prefix="tap-spotify-history-") as spill:
            for ts, play_id, raw in unique_plays(self.sorted_plays(spill, bookmark),
                                                 bookmark, done):
                tail = (f',"ts":"{ts}","play_id":"{play_id}"}}' if self.adds_ts
                        else f',"play_id":"{play_id}"}}').encode()
                # The SDK writes the record before any STATE that follows it, and moves
                # the bookmark as it does: the edge must already name this play then.
                edge.add(ts, play_id)
                yield msgspec.json.decode(raw[:-1] + tail)
                written += 1
        self.logger.info("%s: %d new plays (bookmark was %s)", self.name, written,
                         bookmark or "unset")

    def sorted_plays(self, spill: t.BinaryIO, since: str | None) -> Iterator[Play]:
        """Every play at or after `since` of every file, merged in time order: each file
        read, sorted and spilled on its own, then all read back a block at a time."""
        files = self.sources.files(self.kind)
        runs = Spill(spill, len(files))
        blocks, count = [], 0
        for number, file in enumerate(files):
            plays = read_plays(file, number, type(self).reader, since)
            count += len(plays)
            blocks.append(runs.add(plays))
        self.logger.info("%s: %d plays at or after the bookmark in %d files", self.name,
                         count, len(files))
        return heapq.merge(*(runs.read(where) for where in blocks))


def read_bookmark(state: dict, stream: str) -> tuple[str | None, set[str]]:
    """The bookmark and the play_ids emitted at its edge, as an earlier run left them."""
    value, ids = state.get("replication_key_value"), state.get("edge_play_ids") or []
    if not value:
        return None, set()
    try:
        bookmark = canonical_ts(str(value))
    except ValueError:
        bookmark = None
    if bookmark is None or not isinstance(ids, list) or not all(isinstance(i, str)
                                                                for i in ids):
        raise ConfigError(f"state: the bookmark of {stream} ({value!r}, {ids!r}) is not a "
                          "date-time and a list of play_ids: fix the state file, or run "
                          "without it to start over.")
    return bookmark, set(ids)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The plays in flight are tuples, never cycles; left on, the garbage collector
    rescans them over and over, a fifth of the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Edge:
    """The state at the bookmark's edge: `edge_play_ids`, the play_ids emitted at the
    bookmark's second (the SDK keeps the bookmark itself)."""

    def __init__(self, state: dict, bookmark: str | None, done: set[str]) -> None:
        self.state, self.ts = state, bookmark
        self.ids = list(done)
        state["edge_play_ids"] = self.ids

    def add(self, ts: str, play_id: str) -> None:
        if ts != self.ts:
            self.ts, self.ids = ts, []
            self.state["edge_play_ids"] = self.ids
        self.ids.append(play_id)


class StreamingHistoryStream(_HistoryStream):
    """Extended streaming history: every play since the account opened, with URIs."""

    name = "streaming_history"
    kind = EXTENDED
    reader = _extended_plays
    schema = STREAMING_HISTORY


class AccountStreamingHistoryStream(_HistoryStream):
    """Account data's streaming history: the last year, to the minute, names only."""

    name = "streaming_history_account"
    kind = ACCOUNT
    reader = _account_plays
    adds_ts = True
    schema = STREAMING_HISTORY_ACCOUNT


def history_streams(tap: Tap) -> list[Stream]:
    """The history streams, when `streaming_history_path` is set."""
    if not history_paths(tap.config.get("streaming_history_path")):
        return []
    sources = HistorySources(tap.config.get("streaming_history_path"))
    return [StreamingHistoryStream(tap, sources), AccountStreamingHistoryStream(tap, sources)]
