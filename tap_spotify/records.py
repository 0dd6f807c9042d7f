"""What a record must be before it leaves the tap.

Spotify's answers are typed JSON, so the SDK's per-field type conformance is switched
off (it was the largest cost per record) and `RecordShape` checks the top level in
one pass instead:
- a field the schema does not declare (one Spotify added last month) is dropped,
  with the SDK's own warning, once per stream and set of fields;
- a declared field of the wrong JSON type, or a primary key that is missing, makes
  the answer malformed: one line, and the run stops before writing the record.
Nested objects (`track`, `album`, `artists`...) are kept whole, as Spotify sent them.
"""

from __future__ import annotations

import itertools
import logging
import typing as t

from tap_spotify.errors import MalformedAnswer

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list, tuple),
    "null": (type(None),),
}


def python_types(spec: dict) -> tuple[type, ...]:
    """The Python types a JSON value of this schema decodes to (any, if unsaid)."""
    types = spec.get("type")
    if types is None:
        return (object,)
    if isinstance(types, str):
        types = [types]
    found: tuple[type, ...] = ()
    for name in types:
        found += _PYTHON_TYPES.get(name, (object,))
    return found


class RecordShape:
    """One stream's record shape: declared fields with their types, and its keys."""

    def __init__(self, stream: str, schema: dict, primary_keys: t.Sequence[str] | None,
                 logger: logging.Logger) -> None:
        self.stream = stream
        self.types = {name: python_types(spec)
                      for name, spec in schema.get("properties", {}).items()}
        self.keys = tuple(primary_keys or ())
        self.logger = logger
        self.warned: set[frozenset[str]] = set()

    def check(self, record: dict) -> dict:
        """The record, undeclared fields dropped; MalformedAnswer if it cannot be one."""
        types = self.types
        extra = None
        for name, value in record.items():
            expected = types.get(name)
            if expected is None:
                extra = [*(extra or ()), name]
            elif not isinstance(value, expected) or (
                    isinstance(value, bool) and bool not in expected):
                raise MalformedAnswer(
                    f"{self.stream}: Spotify sent a record whose {name} is "
                    f"{type(value).__name__}, where its reference has "
                    f"{' or '.join(t_.__name__ for t_ in expected)}: the answer is malformed. "
                    "Everything written before is valid; run again later, and report it "
                    "if it persists.")
        for key in self.keys:
            if record.get(key) is None:
                raise MalformedAnswer(
                    f"{self.stream}: Spotify sent a record without its {key}, which the "
                    "stream's key needs: the answer is malformed. Everything written "
                    "before is valid; run again later, and report it if it persists.")
        if extra:
            for name in extra:
                del record[name]
            self.warn_undeclared(extra)
        return record

    def warn_undeclared(self, names: list[str]) -> None:
        fields = frozenset(names)
        if fields not in self.warned:
            self.warned.add(fields)
            self.logger.warning("Properties %s were present in the '%s' stream but not found "
                                "in catalog schema. Ignoring.", tuple(names), self.stream)


def dry_run(records: t.Iterable[dict], limit: int | None) -> t.Iterable[dict]:
    """`records`, or in the SDK's dry run (`--test`, `limit` records a stream) only as
    many as it asks for: its own stop after them would show as an error."""
    return records if limit is None else itertools.islice(records, limit)
