"""The entries of a JSON list, found by its structure alone, so that an entry holding
bytes that are not UTF-8 text can be set aside and the rest of its file read.

JSON's structure (brackets, braces, commas, quotes, backslashes) is ASCII, and no byte
of a multi-byte UTF-8 sequence, well-formed or not, is an ASCII byte: a bad byte inside
a string can never hide or fake a quote or a comma. So the list's top-level commas are
found from tokens, whatever the strings hold, and the formatting does not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A string (escapes included), or one structural character.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.S)
_QUOTE, _COMMA, _OPEN_LIST = ord('"'), ord(","), ord("[")
_OPENING, _CLOSING = frozenset(b"[{"), frozenset(b"]}")


@dataclass(frozen=True)
class BadEntry:
    """An entry set aside: its place in the list (from 0) and its first bad byte."""

    index: int
    offset: int

    def __str__(self) -> str:
        return f"entry {self.index + 1} (byte {self.offset:,})"


def entry_spans(data: bytes | bytearray) -> list[tuple[int, int]] | None:
    """(start, end) of each entry of the top-level list; None when `data` is not a list
    or does not end where it should."""
    if data.lstrip()[:1] != b"[":
        return None
    depth, start = 0, 0
    spans: list[tuple[int, int]] = []
    for token in _TOKENS.finditer(data):
        char = data[token.start()]
        if char == _QUOTE:
            continue
        if char in _OPENING:
            depth += 1
            if depth == 1:
                start = token.end()
        elif char in _CLOSING:
            depth -= 1
            if depth == 0:
                if data[token.end():].strip():
                    return None  # something follows the list
                if spans or data[start:token.start()].strip():  # else an empty list
                    spans.append((start, token.start()))
                return spans
        elif char == _COMMA and depth == 1:
            spans.append((start, token.start()))
            start = token.end()
    return None


def without_bad_entries(data: bytes | bytearray,
                        ) -> tuple[bytes, list[BadEntry]] | None:
    """The list without its entries that are not UTF-8 text, and where they were; None
    when the list's entries cannot be told apart (then it is no JSON list)."""
    spans = entry_spans(data)
    if spans is None:
        return None
    good: list[bytes] = []
    bad: list[BadEntry] = []
    for index, (start, end) in enumerate(spans):
        entry = bytes(data[start:end])
        try:
            entry.decode()
        except UnicodeDecodeError as exc:
            bad.append(BadEntry(index, start + exc.start))
        else:
            good.append(entry)
    return b"[" + b",".join(good) + b"]", bad
