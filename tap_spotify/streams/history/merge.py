"""Every play of every file once, in time order: each file's plays sorted and spilled
to a temporary file as one run, the runs merged back a block at a time, and identical
plays told apart by counting them.

A later export repeats every play of an earlier one, and within one export the files
are not in one time order (Audio and Video overlap), so no file can be trusted to be
the only one holding a play. Memory holds one file, not the export.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import heapq
import os
import typing as t
from collections.abc import Iterable, Iterator

import msgspec

from tap_spotify.streams.history.formats import Play

#: Plays the merge holds at once, one block of each run: about one Spotify file's worth.
MERGE_PLAYS = 16_384

_encode_block = msgspec.msgpack.Encoder().encode
_decode_block = msgspec.msgpack.Decoder(list[tuple[str, str, int, int, bytes]]).decode


class SortedRuns:
    """Sorted runs of plays in one temporary file, read back a block at a time."""

    def __init__(self, file: t.BinaryIO, runs: int) -> None:
        self.file = file
        self.size = 0
        self.block = max(16, MERGE_PLAYS // max(runs, 1))
        self.runs: list[list[tuple[int, int]]] = []  # each run's blocks: (offset, size)

    def add(self, plays: list[Play]) -> None:
        """Write one sorted run."""
        blocks = []
        for first in range(0, len(plays), self.block):
            data = _encode_block(plays[first:first + self.block])
            blocks.append((self.size, len(data)))
            self.file.write(data)
            self.size += len(data)
        self.runs.append(blocks)

    def merged(self) -> Iterator[Play]:
        """Every play of every run, in order."""
        self.file.flush()
        return heapq.merge(*(self._read(blocks) for blocks in self.runs))

    def _read(self, blocks: list[tuple[int, int]]) -> Iterator[Play]:
        fd = self.file.fileno()
        for offset, size in blocks:
            yield from _decode_block(os.pread(fd, size, offset))


def unique_plays(merged: Iterable[Play], bookmark: str | None, done: set[str],
                 ) -> Iterator[tuple[str, str, bytes]]:
    """(ts, play_id, JSON) of each play once, in time order. Identical plays are counted
    per file; the file with the most decides how many there were. At the bookmark's
    second, the play_ids in `done` were emitted by an earlier run.

    The merge gives identical plays together, file by file: counting them needs only
    the current file's count and how many were emitted."""
    md5 = hashlib.md5
    last_ts = last_identity = None
    file = n = emitted = -1
    for ts, identity, number, _, raw in merged:
        if identity != last_identity or ts != last_ts:
            last_ts, last_identity, file, n, emitted = ts, identity, number, 0, 0
        elif number != file:
            file, n = number, 0
        else:
            n += 1
        if n < emitted:
            continue
        emitted = n + 1
        play_id = md5(f"{ts}|{identity}|{n}".encode(), usedforsecurity=False).hexdigest()
        if ts == bookmark and play_id in done:
            continue
        yield ts, play_id, raw


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
