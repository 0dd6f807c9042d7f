"""Run `tap-spotify login` as a subprocess, the way a user does, and play the browser
with `requests` against the emulator's /authorize."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from spotify_emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Finished:
    """A login that ended: exit code and everything it printed."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith(
            "tap-spotify login: error:")]


class Login:
    """A running `python -m tap_spotify.login ...` in its own working directory."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        environ = {key: value for key, value in os.environ.items()
                   if not key.startswith("TAP_SPOTIFY_")}
        environ["PYTHONPATH"] = str(REPO)
        environ.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tap_spotify.login", *args], cwd=cwd, env=environ,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.first_line = ""

    def url(self) -> str:
        """The authorize URL login printed on its first stdout line."""
        self.first_line = self.proc.stdout.readline().rstrip("\n")  # type: ignore[union-attr]
        if not self.first_line:
            done = self.finish()
            pytest.fail(f"login printed no URL (exit {done.returncode}): {done.stderr}")
        return self.first_line

    def query(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlparse(self.url()).query).items()}

    def finish(self, timeout: float = 60) -> Finished:
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            pytest.fail(f"login did not end within {timeout} s: {err}")
        return Finished(self.proc.returncode, self.first_line + "\n" + out if self.first_line
                        else out, err)


def config_for(emu: EmulatorServer, **overrides: Any) -> dict[str, Any]:
    config = {
        "client_id": emu.backend.options.client_id,
        "client_secret": emu.backend.options.client_secret,
        "authorize_url": emu.authorize_url,
        "auth_url": emu.token_url,
    }
    config.update(overrides)
    return config


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory (no .env of the project's)."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def config_file(workdir: Path, emulator: EmulatorServer) -> Path:
    path = workdir / "config.json"
    path.write_text(json.dumps(config_for(emulator)))
    return path


@pytest.fixture
def start_login(workdir: Path):  # type: ignore[no-untyped-def]
    """`start_login(*args, env=...)` -> Login; every one still running is killed at the end."""
    started: list[Login] = []

    def _start(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Login:
        login = Login(list(args), cwd or workdir, env)
        started.append(login)
        return login

    yield _start
    for login in started:
        if login.proc.poll() is None:
            login.proc.kill()
            login.proc.communicate()
