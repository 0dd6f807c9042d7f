"""The `tap-spotify` command: the SDK's CLI, with every error the user can act on
reported as one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import sys
import typing as t
from pathlib import Path

from dotenv import load_dotenv
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_spotify.errors import ConfigError, RunStopped, TapSpotifyError, TargetStopped
from tap_spotify.tap import TapSpotify


def main() -> None:
    """Console entry point. Reads `.env` from the working directory first (the shell's
    own variables win over it)."""
    load_dotenv(Path.cwd() / ".env", override=False)
    if sys.argv[1:2] == ["login"]:
        from tap_spotify.login import main as login

        sys.exit(login(sys.argv[2:]))
    try:
        check_inputs(sys.argv[1:])
        TapSpotify.cli()
    except RunStopped as exc:
        print(f"tap-spotify: {exc}: every line written is whole, and the last STATE covers "
              "what was written; run again with that state to go on.", file=sys.stderr)
        sys.exit(exc.exit_code)
    except TapSpotifyError as exc:
        if isinstance(exc, TargetStopped):  # nothing more can reach the target
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"tap-spotify: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (FatalAPIError, RetriableAPIError) as exc:
        print(f"tap-spotify: error: {exc}", file=sys.stderr)
        sys.exit(1)


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
    """Check the files and variables the SDK would otherwise fail on with a traceback."""
    for value in option_values(args, "--config"):
        if value == "ENV":
            check_environment()
        else:
            read_json_object(value, "config file", "a JSON object of settings")
    for value in option_values(args, "--state"):
        state = read_json_object(value, "state file", "a JSON object such as "
                                 '{"bookmarks": {...}}, as the tap writes in STATE messages')
        bookmarks = state.get("bookmarks", {})
        if not isinstance(bookmarks, dict) or not all(isinstance(v, dict)
                                                      for v in bookmarks.values()):
            raise ConfigError(f"state file {value}: `bookmarks` must map each stream's name "
                              "to an object; fix the file, or run without --state to start "
                              "over.")
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
    if not isinstance(value, dict):
        raise ConfigError(f"{what} {path} holds a JSON {type(value).__name__}: it must hold "
                          f"{expected}.")
    return value


def check_environment() -> None:
    """`--config ENV`: each TAP_SPOTIFY_* variable must parse as its setting's type."""
    schema = TapSpotify.settings_schema()
    for key, spec in schema["properties"].items():
        name = "TAP_SPOTIFY_" + key.upper()
        value = os.environ.get(name)
        if value is None:
            continue
        types: t.Any = spec.get("type", ())
        if "integer" in types:
            try:
                int(value)
            except ValueError:
                raise ConfigError(f"{name} is {value!r}: it must be a whole number from "
                                  f"{spec.get('minimum')} to {spec.get('maximum')}.") from None
        elif "object" in types:
            try:
                json.loads(value)
            except json.JSONDecodeError:
                raise ConfigError(f"{name} is not valid JSON: {key} takes a JSON object."
                                  ) from None
