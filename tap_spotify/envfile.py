"""The env file `tap-spotify login` stores a listener's refresh token in: which file,
under which variable names, and how it is rewritten.

Why the names depend on Meltano: Meltano reads a plugin's settings from variables
named after the plugin (`TAP_SPOTIFY__ALICE_REFRESH_TOKEN` for an inherited
`tap-spotify--alice`), in the `.env` of its project, so login run by Meltano stores
the token there, under those names. Run by hand, it is `./.env` and `TAP_SPOTIFY_*`.

The file is rewritten whole into a new 0600 file beside it, then renamed over it:
the token is never in a file others can read, and a crash leaves the old file whole.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import typing as t
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from tap_spotify.errors import TapSpotifyError

#: The tap's own prefix, and the one of a Meltano plugin named `tap-spotify`.
TAP_PREFIX = "TAP_SPOTIFY"


class EnvFileError(TapSpotifyError):
    """The env file cannot be read or written: the message says which and why."""


def meltano_prefix(plugin: str) -> str:
    """The prefix of a Meltano plugin's setting variables: its name upper-cased, every
    character other than a letter or digit turned into `_` (Meltano's `to_env_var`)."""
    return re.sub(r"[^A-Za-z0-9]", "_", plugin).upper()


@dataclass(frozen=True)
class TokenFile:
    """Where the refresh token goes: a file, the variable prefix of the plugin that
    reads it, and that plugin's name when Meltano runs login."""

    path: Path
    prefix: str = TAP_PREFIX
    plugin: str | None = None

    @classmethod
    def for_environment(cls, environ: t.Mapping[str, str], path: Path | None) -> TokenFile:
        """Under Meltano (`MELTANO_EXTRACTOR_NAME` set), the plugin's variables in the
        project's `.env`; else `TAP_SPOTIFY_*` in `./.env`. `path` overrides the file."""
        plugin = environ.get("MELTANO_EXTRACTOR_NAME") or None
        if plugin is None:
            return cls(path or Path(".env"))
        root = environ.get("MELTANO_PROJECT_ROOT")
        default = Path(root) / ".env" if root else Path(".env")
        return cls(path or default, meltano_prefix(plugin), plugin)

    @property
    def token_key(self) -> str:
        return f"{self.prefix}_REFRESH_TOKEN"

    @property
    def date_key(self) -> str:
        return f"{self.prefix}_REFRESH_TOKEN_DATE"

    def check(self) -> None:
        """EnvFileError now, before the browser step, if the token could not be stored."""
        path, folder = self.path, self.path.parent
        if path.exists() and not path.is_file():
            raise EnvFileError(f"the env file {path} is not a file: pass --env-file with "
                               "the path of an env file.")
        if not folder.is_dir():
            raise EnvFileError(f"the env file {path} cannot be made: the folder {folder} "
                               "does not exist.")
        if not os.access(folder, os.W_OK | os.X_OK) or (
                path.exists() and not os.access(path, os.R_OK)):
            raise EnvFileError(f"the env file {path} cannot be written (permission denied): "
                               "choose another with --env-file.")

    def store(self, token: str, consented: dt.date) -> str | None:
        """Set the two variables, keeping every other line; the file ends up 0600.
        Returns the old permissions when they were wider than 0600 (to say so)."""
        return write_private(self.path, {self.token_key: quote(token),
                                         self.date_key: consented.isoformat()})


def read_env(path: Path) -> dict[str, str]:
    """The variables a dotenv file sets; none when it is missing or unreadable (the
    problem, if any, is reported when login writes it)."""
    try:
        values = dotenv_values(path) if path.is_file() else {}
    except (OSError, UnicodeDecodeError):
        return {}
    return {key: value for key, value in values.items() if value is not None}


def write_private(path: Path, values: dict[str, str]) -> str | None:
    """Replace `values`' keys in the file at `path` (through a symlink, to the file it
    names) and leave it readable by its owner only; the old mode if it was wider."""
    target = Path(os.path.realpath(path))
    try:
        old = target.read_bytes().decode("utf-8") if target.exists() else ""
        old_mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise EnvFileError(f"could not read {path} ({reason}); nothing was written.") from None
    temp = ""
    try:
        fd, temp = tempfile.mkstemp(prefix=".tap-spotify-login-", dir=target.parent)  # 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(replace_keys(old, values))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except OSError as exc:
        if temp:
            Path(temp).unlink(missing_ok=True)
        raise EnvFileError(f"could not write {path} ({exc.strerror}); nothing was "
                           "written.") from None
    return f"{old_mode:04o}" if old_mode & 0o077 else None


def replace_keys(text: str, values: dict[str, str]) -> str:
    """`text` with each key's first assignment replaced in place, later ones dropped,
    missing ones appended; every other line (comments too) untouched."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    done: set[str] = set()
    kept = []
    for line in lines:
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        key = match.group(1) if match else None
        if key not in values:
            kept.append(line)
        elif key not in done:
            ending = line[len(line.rstrip("\r\n")):] or newline
            kept.append(f"{key}={values[key]}{ending}")
            done.add(key)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += newline
    kept += [f"{key}={value}{newline}" for key, value in values.items() if key not in done]
    return "".join(kept)


def quote(value: str) -> str:
    """As is when safe (Spotify's tokens are), else double-quoted for python-dotenv."""
    if re.fullmatch(r"[A-Za-z0-9_\-.~+/=]+", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def login_command(environ: t.Mapping[str, str]) -> str:
    """How this listener logs in again: through the Meltano plugin that runs the tap
    (`MELTANO_EXTRACTOR_NAME`), or `tap-spotify login`."""
    plugin = environ.get("MELTANO_EXTRACTOR_NAME")
    return f"meltano invoke {plugin}:login" if plugin else "tap-spotify login"
