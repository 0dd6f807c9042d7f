"""Finding the download's files in zips, folders and single paths, and reading them.

A zip member is inflated a block at a time and given up as soon as it passes a cap on
its inflated size, or on how many times larger than its compressed size it grows: a
damaged or hostile zip (a 2 MB member that inflates to 2 GB) must not take the
machine's memory. Spotify's own files are about 10-13 MB (about 1 MB compressed), so
the caps leave a wide margin.
"""

from __future__ import annotations

import codecs
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tap_spotify.errors import ConfigError, TapSpotifyError
from tap_spotify.streams.history.export import EXPECTED_NAMES, FileKind, Known, classify

#: Largest inflated zip member read: ten times Spotify's largest history file.
MAX_INFLATED_BYTES = 128 * 2**20
#: Largest inflated / compressed size ratio, past RATIO_FROM_BYTES inflated (tiny files
#: can compress better). Spotify's pretty-printed JSON deflates about 10 to 15 times.
MAX_RATIO = 100
RATIO_FROM_BYTES = 2**20
#: Bytes inflated at a time.
BLOCK_BYTES = 2**20

_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
                RuntimeError)  # damaged, unsupported compression, encrypted


class HistoryFileError(TapSpotifyError):
    """A history file cannot be read as Spotify writes them: the message names it."""


@dataclass(frozen=True)
class ExportFile:
    """One file of the download: on disk, or a member of a zip."""

    path: Path
    member: str | None = None
    kind: FileKind | None = None

    def __str__(self) -> str:
        return f"{self.path} ({self.member})" if self.member else str(self.path)

    @property
    def name(self) -> str:
        return PurePosixPath(self.member).name if self.member else self.path.name

    def read(self) -> bytes | bytearray:
        """The whole file, without a UTF-8 byte order mark."""
        try:
            if self.member is None:
                return self.path.read_bytes().removeprefix(codecs.BOM_UTF8)
            with zipfile.ZipFile(self.path) as archive:
                data = inflate(archive, archive.getinfo(self.member), str(self))
        except _READ_ERRORS as exc:
            raise HistoryFileError(f"{self}: cannot be read: {exc}") from None
        if data.startswith(codecs.BOM_UTF8):
            del data[:len(codecs.BOM_UTF8)]
        return data

    def head(self, size: int) -> bytes:
        """The first `size` bytes at most (inflating no more than that)."""
        try:
            if self.member is None:
                with self.path.open("rb") as file:
                    return file.read(size)
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as member:
                return member.read(size)
        except _READ_ERRORS as exc:
            raise HistoryFileError(f"{self}: cannot be read: {exc}") from None


def inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytearray:
    """A member's bytes, inflated a block at a time; HistoryFileError as soon as it
    passes a cap (the sizes its header declares are checked first)."""
    check_inflated(info.file_size, info.compress_size, name)
    data = bytearray()
    with archive.open(info) as member:
        while block := member.read(BLOCK_BYTES):
            data += block
            check_inflated(len(data), info.compress_size, name)
    return data


def check_inflated(size: int, compressed: int, name: str) -> None:
    """Raise when `size` inflated bytes of a member `compressed` bytes long pass a cap."""
    if size > MAX_INFLATED_BYTES:
        what = f"more than {MAX_INFLATED_BYTES // 2**20} MiB"
    elif size > RATIO_FROM_BYTES and size > MAX_RATIO * compressed:
        what = (f"more than {MAX_RATIO} times its compressed size of {compressed:,} "
                "bytes")
    else:
        return
    raise HistoryFileError(
        f"{name}: inflates to {what}, the most tap-spotify reads from a zip (Spotify's "
        "history files are about 13 MB, compressed about 12 times): the zip is damaged "
        "or not Spotify's. Not read: check that file, or take the zip out of "
        "streaming_history_path.")


@dataclass
class FoundFiles:
    """The files under the setting's paths: history, profiles, and unknown ones."""

    history: list[ExportFile] = field(default_factory=list)
    userdata: list[ExportFile] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def add(self, path: Path, member: str | None = None) -> None:
        kind = classify(member if member is not None else path.as_posix())
        file = ExportFile(path, member, kind if isinstance(kind, FileKind) else None)
        if file.kind is not None:
            self.history.append(file)
        elif kind == Known.USERDATA:
            self.userdata.append(file)
        elif kind is None:
            self.unknown.append(str(file))


def find_files(paths: Iterable[str]) -> FoundFiles:
    """Every file under the paths, in a stable order. A path that does not exist, a zip
    that is not one, or a path with no history file raises."""
    found = FoundFiles()
    for text in paths:
        path = Path(text).expanduser()
        before = len(found.history)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() == ".zip":
                    add_zip_members(found, child)
                else:
                    found.add(child)
        elif path.is_file():
            if isinstance(classify(path.name), FileKind):
                found.add(path)
            elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
                add_zip_members(found, path)
            else:
                raise ConfigError(f"streaming_history_path: {path} is not a Spotify history "
                                  f"file: expected a .zip, a folder, or {EXPECTED_NAMES}.")
        else:
            raise ConfigError(f"streaming_history_path: {path} does not exist.")
        if len(found.history) == before:
            raise ConfigError(f"streaming_history_path: {path} holds no Spotify history "
                              f"file ({EXPECTED_NAMES}).")
    return found


def add_zip_members(found: FoundFiles, path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise HistoryFileError(f"{path}: not a zip file that can be read: {exc}") from None
    for name in sorted(names):
        if not name.endswith("/"):
            found.add(path, name)
