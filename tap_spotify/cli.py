"""The `tap-spotify` command: the SDK's Singer command, with `login` beside it, and
every error the user can act on reported as one line and a non-zero exit.

    tap-spotify --config ENV [--state FILE] [--catalog FILE]   run the tap
    tap-spotify login [--no-browser] ...                       store a listener's token
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import typing as t
from pathlib import Path

import click
from dotenv import load_dotenv
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.plugin_base import SingerCommand

from tap_spotify.errors import ConfigError, RunStopped, TapSpotifyError, TargetStopped

PROG = "tap-spotify"
#: Allocations between two runs of the cycle collector's youngest generation.
GC_THRESHOLD = 50_000


class TapCommand(SingerCommand, click.Group):
    """The SDK's command as a group: with no subcommand it runs the tap; `login` is
    loaded only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return ["login"]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name != "login":
            return None
        from tap_spotify.login import login_command

        return login_command


def singer_group(command: click.Command, run: t.Callable[..., None]) -> TapCommand:
    """`command` (the SDK's) as a `TapCommand` whose callback runs the tap only when no
    subcommand was given."""

    def callback(**params: t.Any) -> None:
        if click.get_current_context().invoked_subcommand is None:
            run(**params)

    return TapCommand(name=command.name, params=command.params, callback=callback,
                      help="Run the Singer tap (with --config), or `login` to store a "
                           "listener's authorization.", invoke_without_command=True,
                      context_settings=command.context_settings,
                      logger=logging.getLogger(PROG))


def main() -> None:
    """Console entry point. Reads `.env` from the working directory first (the shell's
    own variables win over it); `--config ENV` then takes the settings from both."""
    load_dotenv(Path.cwd() / ".env", override=False)
    from tap_spotify.tap import TapSpotify

    # Records are short-lived and hold no cycles, so the cycle collector need not rescan
    # every module loaded so far, nor run every 700 allocations (a tenth of the CPU).
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    try:
        if sys.argv[1:2] != ["login"]:  # login reads its own files, and says so as login
            check_inputs(sys.argv[1:])
        TapSpotify.cli()
    except RunStopped as exc:
        report(f"{PROG}: {exc}: every line written is whole, and the last STATE covers "
               "what was written; run again with that state to go on.")
        sys.exit(exc.exit_code)
    except TapSpotifyError as exc:
        if isinstance(exc, TargetStopped):  # nothing more can reach the target
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        report(f"{getattr(exc, 'program', PROG)}: error: {one_line(exc)}")
        sys.exit(exc.exit_code)
    except (FatalAPIError, RetriableAPIError) as exc:
        report(f"{PROG}: error: {one_line(exc)}")
        sys.exit(1)


def one_line(exc: BaseException) -> str:
    """A message as one line (messages with server text are made safe where built)."""
    return " ".join(str(exc).split())


def report(line: str) -> None:
    """The run's last word, on stderr: as a plain line, or, where a logging config
    shapes stderr (Meltano sets one, and parses its lines), as an ERROR log record, so
    the cause is logged at error level there."""
    if os.environ.get("SINGER_SDK_LOG_CONFIG"):
        logging.getLogger(PROG).error("%s", line)
    else:
        print(line, file=sys.stderr)


def option_values(args: list[str], name: str) -> list[str]:
    """The values given to `--name VALUE` or `--name=VALUE`."""
    values = []
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            values.append(args[index + 1])
        elif arg.startswith(name + "="):
            values.append(arg.split("=", 1)[1])
    return values


def check_inputs(args: list[str]) -> None:
    """Check the files the SDK would otherwise fail on with a traceback, and stdout."""
    if not {"--about", "--help", "--version", "--discover"} & set(args):
        from tap_spotify.output import check_stdout

        check_stdout()
    for value in option_values(args, "--config"):
        if value != "ENV":
            read_json_object(value, "config file", "a JSON object of settings")
    for value in option_values(args, "--state"):
        read_json_object(value, "state file", "a JSON object such as "
                         '{"bookmarks": {...}}, as the tap writes in STATE messages')
    for value in option_values(args, "--catalog"):
        read_json_object(value, "catalog file", "a JSON object with `streams`, as "
                         "`tap-spotify --discover` writes")


def read_json_object(path: str, what: str, expected: str) -> dict:
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"{what} {path} does not exist: check the path.")
    if not file.is_file():
        raise ConfigError(f"{what} {path} is not a file: give the path of {expected}.")
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{what} {path} is not valid JSON ({exc}): it must hold "
                          f"{expected}.") from None
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be read ({exc.strerror}): check its "
                          "permissions.") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{what} {path} holds a JSON {type(value).__name__}: it must hold "
                          f"{expected}.")
    return value
