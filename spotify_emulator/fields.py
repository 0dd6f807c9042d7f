"""Dataclass fields that describe themselves, and reading their values from text.

``EmulatorOptions`` and ``Hostile`` declare each field with ``option(default, help,
group=...)``; the command line (cli.py) and the admin routes (``POST
/_emulator/hostile?total=3``) then turn text into values from the field's own type,
so a new option needs no parser code of its own.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import functools
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: Words that mean None for an optional field (``--rate-limit none``, ``?total=null``).
NONE_WORDS = ("", "none", "null", "off")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def option(
    default: Any,
    help: str = "",
    *,
    group: str,
    choices: Sequence[str] | None = None,
) -> Any:
    """A dataclass field with its help text, command-line group and allowed values."""
    metadata = {"help": help, "group": group, "choices": choices}
    return dataclasses.field(default=default, metadata=metadata)


def parse_bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"not a yes/no value: {raw!r}")


def converter(tp: Any) -> Callable[[str], Any]:
    """Text to a value of type ``tp``: ``X | None`` (see NONE_WORDS), tuples and sequences
    (comma lists), bool, date (YYYY-MM-DD), int, float, str."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        inner = converter(next(a for a in args if a is not type(None)))
        return lambda raw: None if raw.strip().lower() in NONE_WORDS else inner(raw)
    if typing.get_origin(tp) in (tuple, collections.abc.Sequence):
        item = converter(args[0])
        return lambda raw: tuple(item(p.strip()) for p in raw.split(",") if p.strip())
    if tp is bool:
        return parse_bool
    if tp is datetime.date:
        return datetime.date.fromisoformat
    if tp in (int, float, str):
        return typing.cast(Callable[[str], Any], tp)
    raise TypeError(f"no text conversion for {tp!r}")


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved type of every field of a dataclass (inherited ones included)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def parse_fields(cls: type, raw: Mapping[str, str]) -> dict[str, Any]:
    """Values for some fields of ``cls`` from text; a ValueError names the bad one."""
    types_ = field_types(cls)
    unknown = sorted(set(raw) - set(types_))
    if unknown:
        raise ValueError(f"unknown settings {unknown}; known: {sorted(types_)}")
    values = {}
    for name, text in raw.items():
        try:
            values[name] = converter(types_[name])(text)
        except ValueError as exc:
            raise ValueError(f"bad {name}: {text!r} ({exc})") from None
    return values


def arg(params: Mapping[str, str], name: str, cast: Callable[[str], Any], default: Any) -> Any:
    """One query parameter of an admin call, cast; ``default`` when absent."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return cast(raw)
    except ValueError:
        raise ValueError(f"bad {name}: {raw!r}") from None
