"""The two history streams, on the SDK's record path: plays are yielded from
`get_records` and written by the SDK, each once, in time order.

`streaming_history` reads extended streaming history (every play since the account
opened, to the second, with URIs); `streaming_history_account` reads account data's
StreamingHistory files (the last year, to the minute, names only). A record is keyed by
whose plays they are (`listener_id`) and which play it is (`play_id`).

Two rules keep the bookmark honest. Plays before it are dropped, whatever the files
hold. And a play dated after this run's own clock is skipped, counted in one warning:
a download holds only plays that already happened, so such a date is a device's clock
gone wrong; written, it would become the bookmark (the SDK moves the bookmark with
every record) and every later run would skip every real play before it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import typing as t
from collections.abc import Callable, Generator, Iterable

import msgspec
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import Stream
from typing_extensions import override

from tap_spotify.records import dry_run
from tap_spotify.schemas.history import ADDED_FIELDS
from tap_spotify.streams.history.download import Download
from tap_spotify.streams.history.files import ExportFile
from tap_spotify.streams.history.formats import (
    ACCOUNT_FORMAT,
    EXTENDED_FORMAT,
    RecordFormat,
)
from tap_spotify.streams.history.merge import SortedRuns, gc_paused, unique_plays
from tap_spotify.streams.history.state import BookmarkEdge, check_listener, read_bookmark

if t.TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

#: Whose plays this run loads: the tap's listener, or None when it knows none. Called
#: once per sync.
ListenerSource = Callable[[], "str | None"]

#: Places of entries set aside shown in a file's warning.
SHOWN_BAD_ENTRIES = 5


def no_listener() -> str | None:
    """The tap knows no listener: the download's username, else 'default'."""
    return None


class HistoryStream(Stream):
    """A stream of plays from the history files of one format."""

    record_format: t.ClassVar[RecordFormat]
    primary_keys: t.ClassVar[list[str]] = ["listener_id", "play_id"]
    replication_key = "ts"
    is_sorted = True
    #: Records go to the SDK as they are: fields a new export adds are dropped (with the
    #: SDK's warning) once per file as it is read, not checked record by record.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap, download: Download | None = None,
                 listener_id: ListenerSource = no_listener) -> None:
        super().__init__(tap)
        self.download = download or Download(tap.config.get("streaming_history_path"))
        self.listener_source = listener_id
        self.warned_fields: set[tuple[str, ...]] = set()

    @override
    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> Iterable[Context | None]:
        return ()  # no child streams: the SDK's default copies every record for nothing

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        return dry_run(self.plays(context), self.ABORT_AT_RECORD_COUNT)

    def plays(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        """Every new play of the download, once, in time order."""
        if not self.download.paths:  # listed in the catalog all the same
            self.logger.info("%s: streaming_history_path is not set: nothing to read.",
                             self.name)
            return
        given = self.listener_source()
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        state = self.stream_state if self.replication_method == "INCREMENTAL" else {}
        bookmark, done = read_bookmark(state, self.name)
        if bookmark is not None and bookmark > now:  # would hide every play for ever
            self.logger.warning("%s: the state's bookmark %s is in the future; reading as if "
                                "there were none.", self.name, bookmark)
            state.pop("replication_key_value", None)
            bookmark, done = None, set()
        files = self.download.history_files(self.record_format.name, self.logger)
        with gc_paused(), tempfile.TemporaryFile(prefix="tap-spotify-history-") as spill:
            runs = SortedRuns(spill, len(files))
            seen = self.read_files(files, runs, bookmark)
            listener = given if given is not None else self.download.listener(seen,
                                                                              self.logger)
            check_listener(state, self.name, listener)
            edge = BookmarkEdge(state, bookmark, done, listener)
            plays = unique_plays(runs.merged(), bookmark, done)
            written = yield from self.records(plays, edge, listener, now)
        self.logger.info("%s: %d new plays (bookmark was %s)", self.name, written,
                         bookmark or "unset")

    def read_files(self, files: list[ExportFile], runs: SortedRuns, since: str | None,
                   ) -> set[str]:
        """Read, sort and spill each file's plays at or after `since`, one file in
        memory at a time; the usernames their entries name."""
        skip = ADDED_FIELDS | ({"ts"} if self.record_format.adds_ts else set())
        declared = frozenset(self.effective_schema["properties"]) - skip
        usernames: set[str] = set()
        count = 0
        for number, file in enumerate(files):
            named, plays = self.read_file(file, number, runs, since or "", declared)
            usernames |= named
            count += plays
        self.logger.info("%s: %d plays at or after the bookmark in %d files", self.name,
                         count, len(files))
        return usernames

    def read_file(self, file: ExportFile, number: int, runs: SortedRuns, since: str,
                  declared: frozenset[str]) -> tuple[set[str], int]:
        """Spill one file's plays; the usernames it names and how many plays it gave."""
        got = self.record_format.read(file.read(), str(file), number, since, declared)
        if bad := got.bad_entries:
            shown = ", ".join(map(str, bad[:SHOWN_BAD_ENTRIES]))
            more = f" and {len(bad) - SHOWN_BAD_ENTRIES} more" \
                if len(bad) > SHOWN_BAD_ENTRIES else ""
            self.logger.warning(
                "%s: %d %s set aside, the bytes are not UTF-8 text: %s%s. The rest of the "
                "file is read; if the download is damaged, download it again.", file,
                len(bad), "entry" if len(bad) == 1 else "entries", shown, more)
        if got.undeclared and got.undeclared not in self.warned_fields:
            self.warned_fields.add(got.undeclared)  # the SDK's own wording
            self.logger.warning("Properties %s were present in the '%s' stream but not "
                                "found in catalog schema. Ignoring.", got.undeclared,
                                self.name)
        runs.add(got.plays)
        return got.usernames, len(got.plays)

    def records(self, plays: Iterable[tuple[str, str, bytes]], edge: BookmarkEdge,
                listener: str, now: str) -> Generator[dict[str, t.Any], None, int]:
        """Each play as its record: its JSON as exported, with the tap's fields; returns
        how many."""
        decode = msgspec.json.decode
        adds_ts = self.record_format.adds_ts
        written = future = 0
        latest = ""
        for ts, play_id, raw in plays:
            if ts > now:
                future, latest = future + 1, ts
                continue
            record = decode(raw)
            if adds_ts:
                record["ts"] = ts
            record["listener_id"] = listener
            record["play_id"] = play_id
            # The SDK writes the record before any STATE that follows it, and moves the
            # bookmark as it does: the edge must already name this play then.
            edge.add(ts, play_id)
            yield record
            written += 1
        if future:
            self.logger.warning("%s: %d plays dated after this run's clock (%s), the latest "
                                "%s, were skipped: a download holds only plays that "
                                "happened, and as the bookmark they would hide every "
                                "later play.", self.name, future, now, latest)
        return written


class StreamingHistoryStream(HistoryStream):
    """Extended streaming history: every play since the account opened, with URIs."""

    name = "streaming_history"
    record_format = EXTENDED_FORMAT
    schema = EXTENDED_FORMAT.schema


class AccountStreamingHistoryStream(HistoryStream):
    """Account data's streaming history: the last year, to the minute, names only."""

    name = "streaming_history_account"
    record_format = ACCOUNT_FORMAT
    schema = ACCOUNT_FORMAT.schema


def history_streams(tap: Tap, listener_id: ListenerSource = no_listener) -> list[Stream]:
    """The history streams, whatever the settings (without `streaming_history_path` they
    read nothing). `listener_id` says whose plays this run loads: called once per sync,
    None when the tap knows no one."""
    download = Download(tap.config.get("streaming_history_path"))
    return [StreamingHistoryStream(tap, download, listener_id),
            AccountStreamingHistoryStream(tap, download, listener_id)]
