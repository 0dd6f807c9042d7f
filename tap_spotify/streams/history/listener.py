"""Whose plays a download holds.

The tap knows its listener (the listener_id setting, or the Spotify account it signs
in to). When it does not, the download may say: extended history until 2024 names the
account in every entry (`username`), and account data in Userdata.json. A download
that names several accounts is refused: under one listener_id, one person's plays.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterable

import msgspec

from tap_spotify.errors import ConfigError
from tap_spotify.streams.history.export import EXTENDED
from tap_spotify.streams.history.files import FoundFiles, HistoryFileError, find_files
from tap_spotify.streams.history.settings import history_paths

#: The listener of a download that names none, when the tap knows none either.
DEFAULT_LISTENER = "default"
#: Enough of a file to hold its first entry, and all of a Userdata.json.
HEAD_BYTES = 64 * 1024

_USERNAME = re.compile(rb'"username"\s*:\s*("(?:[^"\\]|\\.)*")')


class _Userdata(msgspec.Struct):
    username: str | None = None


def named_usernames(found: FoundFiles) -> set[str]:
    """The usernames the download names, read cheaply: Userdata.json, and the first
    entry of each extended history file (Spotify writes it in every entry)."""
    names: set[str] = set()
    for profile in found.userdata:
        try:
            names.add(msgspec.json.decode(profile.head(HEAD_BYTES), type=_Userdata).username
                      or "")
        except (msgspec.DecodeError, HistoryFileError):
            continue  # a profile that cannot be read says nothing about the plays
    for file in found.history:
        if file.kind is not None and file.kind.format == EXTENDED \
                and (match := _USERNAME.search(file.head(HEAD_BYTES))):
            names.add(msgspec.json.decode(match.group(1), type=str))
    names.discard("")
    return names


def one_username(usernames: Iterable[str]) -> str | None:
    """The one username of a download, None for none; ConfigError for several."""
    names = sorted(set(usernames))
    if len(names) > 1:
        raise ConfigError(
            f"streaming_history_path holds the plays of {len(names)} Spotify accounts "
            f"({', '.join(map(repr, names))}): load each listener's download on its own, "
            "with its own listener_id setting (and its own state).")
    return names[0] if names else None


def download_username(setting: t.Any) -> str | None:
    """The Spotify username the download at `setting` (a streaming_history_path value)
    names, None when it names none; ConfigError when it names several. Cheap: reads
    Userdata.json and the first entry of each extended history file."""
    return one_username(named_usernames(find_files(history_paths(setting))))
