"""The two formats of history records, extended history and account data: the fields
each declares, how a file's entries are decoded and checked, and how a play's identity
is read from them.

A play's identity is what every era of the export spells alike: its stop time, ms
played, and what was played. Extended history: every distinct URI the play carries
(track, episode, audiobook chapter; one for nearly every play, none for local files).
An old endsong file spells an audiobook chapter as an episode and a new file as a
chapter, with the same URI: both read as that one URI. Account data: the creator
(artist, show or audiobook) and the name (track, episode or chapter).

One decode of a file reads the identity and checks the field set: each entry is
decoded into a struct holding every declared field, which refuses any other. So a
field a future export adds is found once per file, with no per-record check.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from dataclasses import dataclass

import msgspec

from tap_spotify.schemas.history import (
    ADDED_FIELDS,
    STREAMING_HISTORY,
    STREAMING_HISTORY_ACCOUNT,
)
from tap_spotify.streams.history.entries import BadEntry, without_bad_entries
from tap_spotify.streams.history.export import ACCOUNT, EXTENDED
from tap_spotify.streams.history.files import HistoryFileError

#: A play as the merge sees it: (ts, identity, file number, index in the file, its JSON).
Play = tuple[str, str, int, int, t.Any]

#: Spotify's own spelling of `ts`, which sorts as text in time order.
_CANONICAL_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").fullmatch
_ALL_CANONICAL_TS = re.compile(r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n)*").fullmatch
_END_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d").fullmatch
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_UNKNOWN_FIELD = "Object contains unknown field"


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


@dataclass
class FilePlays:
    """What one file gave: its plays at or after the bookmark, sorted; the usernames its
    entries name; the entries set aside; the fields dropped as undeclared."""

    plays: list[Play]
    usernames: set[str]
    bad_entries: list[BadEntry]
    undeclared: tuple[str, ...]


class NotPlays(Exception):
    """JSON, but not a list of plays as this format spells them."""


@dataclass(frozen=True)
class RecordFormat:
    """One record format: its schema, how its entries decode, and how they become
    plays."""

    name: str
    schema: dict
    #: The fields a file of this format may hold.
    fields: frozenset[str]
    #: An entry's struct, refusing any other field; and one that lets them pass.
    strict: msgspec.json.Decoder[list[t.Any]]
    lenient: msgspec.json.Decoder[list[t.Any]]
    to_plays: t.Callable[[list[t.Any], list[msgspec.Raw], int, str], list[Play]]
    #: The record has no `ts` of its own (account data): the tap adds one.
    adds_ts: bool = False

    def read(self, data: bytes | bytearray, where: str, number: int, since: str,
             declared: frozenset[str]) -> FilePlays:
        """The plays of one file's bytes; HistoryFileError naming `where` when it is not
        JSON or not a list of plays. Entries that are not UTF-8 text are set aside, and
        fields not in `declared` dropped."""
        try:
            return self._checked(data, [], where, number, since, declared)
        except msgspec.DecodeError as exc:
            repaired = without_bad_entries(data)
            if repaired is None or not repaired[1]:  # not a text problem: no JSON
                raise HistoryFileError(f"{where}: not JSON: {exc}") from None
        try:
            return self._checked(*repaired, where, number, since, declared)
        except msgspec.DecodeError as exc:
            raise HistoryFileError(f"{where}: not JSON: {exc}") from None

    def _checked(self, data: bytes | bytearray, bad: list[BadEntry], where: str,
                 number: int, since: str, declared: frozenset[str]) -> FilePlays:
        try:
            return self._read(data, bad, number, since, declared)
        except NotPlays as exc:
            raise HistoryFileError(f"{where}: not a list of plays: {exc}") from None

    def _read(self, data: bytes | bytearray, bad: list[BadEntry], number: int,
              since: str, declared: frozenset[str]) -> FilePlays:
        undeclared: tuple[str, ...] = ()
        entries = self._strict_entries(data) if self.fields <= declared else None
        if entries is None:  # a field the schema does not declare
            data, undeclared = drop_fields(data, declared)
            entries = self._lenient_entries(data)
        try:  # each entry's JSON as the file spells it, spaces and all (cheaper kept)
            plays = self.to_plays(entries, _RAW_LIST.decode(data), number, since)
        except ValueError as exc:
            raise NotPlays(str(exc)) from None
        plays.sort()  # by ts and identity; the index is unique, so JSON is never compared
        usernames = {e.username for e in entries if e.username} \
            if "username" in self.fields else set()
        return FilePlays(plays, usernames, bad, undeclared)

    def _strict_entries(self, data: bytes | bytearray) -> list[t.Any] | None:
        """The entries; None when one holds a field the format does not declare."""
        try:
            return self.strict.decode(data)
        except msgspec.ValidationError as exc:
            if str(exc).startswith(_UNKNOWN_FIELD):
                return None
            raise NotPlays(str(exc)) from None

    def _lenient_entries(self, data: bytes | bytearray) -> list[t.Any]:
        try:
            return self.lenient.decode(data)
        except msgspec.ValidationError as exc:
            raise NotPlays(str(exc)) from None


def drop_fields(data: bytes | bytearray, declared: frozenset[str],
                ) -> tuple[bytes | bytearray, tuple[str, ...]]:
    """The list without the fields not `declared`, and those fields (sorted)."""
    entries = msgspec.json.decode(data)
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise NotPlays("Expected `array` of `object`")
    found: set[str] = set().union(*entries)
    if not (undeclared := found - declared):
        return data, ()
    kept = [{k: v for k, v in entry.items() if k in declared} for entry in entries]
    return msgspec.json.encode(kept), tuple(sorted(undeclared))


def record_format(name: str, schema: dict, typed: dict[str, t.Any], required: str,
                  to_plays: t.Callable[[list[t.Any], list[msgspec.Raw], int, str], list[Play]],
                  *, adds_ts: bool = False) -> RecordFormat:
    """A format whose entries hold the fields the schema declares (but those the tap
    adds): those the identity reads `typed`, the others as they come."""
    skip = ADDED_FIELDS | ({"ts"} if adds_ts else set())
    fields: list[tuple[str, t.Any] | tuple[str, t.Any, t.Any]] = [(required, typed[required])]
    for field in schema["properties"]:
        if field != required and field not in skip:
            default = 0 if typed.get(field) is int else None
            fields.append((field, typed.get(field, t.Any), default))
    strict = msgspec.defstruct(f"{name}_entry", fields, forbid_unknown_fields=True, gc=False)
    lenient = msgspec.defstruct(f"{name}_entry", fields, gc=False)
    return RecordFormat(name, schema, frozenset(strict.__struct_fields__),
                        msgspec.json.Decoder(list[strict]),  # type: ignore[valid-type]
                        msgspec.json.Decoder(list[lenient]),  # type: ignore[valid-type]
                        to_plays, adds_ts)


def uris_of(entry: t.Any) -> str:
    """What an extended entry played: its one URI, or its distinct URIs in one string."""
    track, episode, chapter = (entry.spotify_track_uri, entry.spotify_episode_uri,
                               entry.audiobook_chapter_uri)
    first = track or episode or chapter or ""
    if (episode and episode != first) or (chapter and chapter not in (first, episode)):
        return " ".join(dict.fromkeys(uri for uri in (track, episode, chapter) if uri))
    return first


def stop_times(entries: list[t.Any]) -> list[str]:
    """Each entry's `ts` as Spotify spells it: checked for the whole file at once, as
    Spotify's own files always spell it so."""
    stamps = [e.ts for e in entries]
    if not _ALL_CANONICAL_TS("\n".join(stamps) + "\n"):
        stamps = [canonical_ts(ts) for ts in stamps]
    return stamps


def played(entries: list[t.Any]) -> list[str]:
    """What each extended entry played (see uris_of): a track's URI, most plays, read
    with no call."""
    return [uris_of(e) if e.spotify_episode_uri or e.audiobook_chapter_uri
            else e.spotify_track_uri or "" for e in entries]


def _extended_plays(entries: list[t.Any], raws: list[msgspec.Raw], number: int,
                    since: str) -> list[Play]:
    return [(ts, f"{e.ms_played}|{what}", number, index, memoryview(raw))
            for index, (ts, what, e, raw) in enumerate(zip(
                stop_times(entries), played(entries), entries, raws, strict=True))
            if ts >= since]


def _account_plays(entries: list[t.Any], raws: list[msgspec.Raw], number: int,
                   since: str) -> list[Play]:
    if bad := next((e.endTime for e in entries if not _END_TIME(e.endTime)), None):
        raise ValueError(f"endTime {bad!r} is not YYYY-MM-DD HH:MM")
    return [(ts, f"{e.msPlayed}|{e.artistName or e.podcastName or e.audiobookName or ''}|"
                 f"{e.trackName or e.episodeName or e.chapterName or ''}",
             number, index, memoryview(raw))
            for index, (e, raw) in enumerate(zip(entries, raws, strict=True))
            if (ts := f"{e.endTime[:10]}T{e.endTime[11:]}:00Z") >= since]


_TEXT = str | None

EXTENDED_FORMAT = record_format(EXTENDED, STREAMING_HISTORY, {
    "ts": str, "ms_played": int, "spotify_track_uri": _TEXT, "spotify_episode_uri": _TEXT,
    "audiobook_chapter_uri": _TEXT, "username": _TEXT}, "ts", _extended_plays)
ACCOUNT_FORMAT = record_format(ACCOUNT, STREAMING_HISTORY_ACCOUNT, {
    "endTime": str, "msPlayed": int, **dict.fromkeys(
        ("artistName", "podcastName", "audiobookName", "trackName", "episodeName",
         "chapterName"), _TEXT)}, "endTime", _account_plays, adds_ts=True)
