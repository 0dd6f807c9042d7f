"""The download under streaming_history_path as both history streams share it: its
files, looked for once (at the first sync, so discovery never touches them), and the
notices a run gives once, whichever stream comes first."""

from __future__ import annotations

import typing as t

from tap_spotify.streams.history.files import ExportFile, FoundFiles, find_files
from tap_spotify.streams.history.listener import (
    DEFAULT_LISTENER,
    named_usernames,
    one_username,
)
from tap_spotify.streams.history.settings import history_paths

if t.TYPE_CHECKING:
    import logging


class Download:
    """The files under the setting's paths, and what they say about their listener."""

    def __init__(self, setting: t.Any) -> None:
        self.paths = history_paths(setting)
        self._found: FoundFiles | None = None
        self._named: set[str] | None = None
        self._said: set[str] = set()

    @property
    def found(self) -> FoundFiles:
        if self._found is None:
            self._found = find_files(self.paths)
        return self._found

    def history_files(self, record_format: str, logger: logging.Logger) -> list[ExportFile]:
        """The files of one format, those with today's names first: where files hold
        the same play, the first file's record is the one emitted."""
        if self.found.unknown and self._first_time("unknown files"):
            logger.warning("streaming_history_path: not read, as tap-spotify does not know "
                           "what they hold: %s. If one holds listening history, report it "
                           "so that a later version reads it.", ", ".join(self.found.unknown))
        return sorted((file for file in self.found.history
                       if file.kind is not None and file.kind.format == record_format),
                      key=lambda file: file.kind is not None and file.kind.legacy)

    def listener(self, seen: set[str], logger: logging.Logger) -> str:
        """The listener the download names, `seen` being the usernames a stream's entries
        named; DEFAULT_LISTENER (said once) when it names none."""
        if self._named is None:
            self._named = named_usernames(self.found)
        name = one_username(self._named | seen)
        if name is not None:
            return name
        if self._first_time("default listener"):
            logger.info("streaming_history_path: the download does not say whose plays it "
                        "holds and no listener_id is set, so they are loaded as listener "
                        "%r; set listener_id to name the listener.", DEFAULT_LISTENER)
        return DEFAULT_LISTENER

    def _first_time(self, notice: str) -> bool:
        first = notice not in self._said
        self._said.add(notice)
        return first
