"""Command line: every EmulatorOptions field as a flag; prints the URLs, serves until a signal.

Flags are built from the fields themselves (``--new-releases`` for ``new_releases``,
with the field's help text and choices, and its type saying how to read the value;
yes/no fields take ``--flag`` and ``--no-flag``), so a new option needs no code here.

Output contract (stdout, flushed, one line each, before serving)::

    API_URL=http://127.0.0.1:PORT/v1
    TOKEN_URL=http://127.0.0.1:PORT/api/token
    AUTHORIZE_URL=http://127.0.0.1:PORT/authorize

When it cannot listen (port in use, bad address) it prints one line to stderr
saying so and what to do, and exits with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from .fields import converter, field_types
from .http.server import EmulatorServer
from .options import EmulatorOptions

#: Option groups in the order --help shows them.
GROUPS = (
    "server",
    "catalog",
    "tier",
    "auth",
    "listeners",
    "rate limiting and caps",
    "faults",
    "hostile behaviours (robustness tests; all off by default)",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m spotify_emulator",
        description="Local emulator of the Spotify Web API (new releases, albums, tracks, "
        "search, and a household of listeners behind the Authorization Code flow).",
    )
    groups = {name: parser.add_argument_group(name) for name in GROUPS}
    groups["server"].add_argument(
        "--lifetime",
        type=float,
        default=None,
        help="exit by itself after this many seconds (default: run until signalled)",
    )
    types_ = field_types(EmulatorOptions)
    for field in dataclasses.fields(EmulatorOptions):
        _add_flag(groups[field.metadata["group"]], field, types_[field.name])
    return parser


def _add_flag(group: Any, field: dataclasses.Field[Any], tp: Any) -> None:
    flag = "--" + field.name.replace("_", "-")
    text = field.metadata["help"]
    if tp is bool:
        group.add_argument(
            flag, action=argparse.BooleanOptionalAction, default=field.default, help=text
        )
        return
    shown = field.default
    if isinstance(shown, tuple):
        shown = ",".join(str(v) for v in shown) or None
    group.add_argument(
        flag,
        type=converter(tp),
        default=field.default,
        choices=field.metadata["choices"],
        metavar=None if field.metadata["choices"] else field.name.upper(),
        help=f"{text} (default: {shown})" if text else f"default: {shown}",
    )


def options_from_args(args: argparse.Namespace) -> EmulatorOptions:
    values = vars(args).copy()
    values.pop("lifetime", None)
    return EmulatorOptions(**values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        options = options_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    emu = EmulatorServer(options)
    try:
        emu.start()
    except OSError as exc:
        print(f"spotify-emulator: {_listen_problem(options, exc)}", file=sys.stderr, flush=True)
        return 1
    with emu:
        print(f"API_URL={emu.api_url}", flush=True)
        print(f"TOKEN_URL={emu.token_url}", flush=True)
        print(f"AUTHORIZE_URL={emu.authorize_url}", flush=True)
        print(
            f"spotify-emulator serving on {emu.base_url} (profile={options.profile}, "
            f"seed={options.seed}, new_releases={options.new_releases})",
            file=sys.stderr,
            flush=True,
        )
        stop.wait(args.lifetime)
    return 0


def _listen_problem(options: EmulatorOptions, exc: OSError) -> str:
    """One line: what stops the emulator from listening, and what to do about it."""
    where = f"{options.host}:{options.port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use; "
            "stop what is using it or pick another --port (0 = any free port)"
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied; use a port above 1023 or 0"
    reason = exc.strerror or str(exc)
    return f"cannot listen on {where}: {reason}; check --host and --port"
