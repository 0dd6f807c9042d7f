"""Helpers of the login tests: `tap-spotify login` as a subprocess, the way a user runs
it, and `requests` playing the browser against the emulator's /authorize."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from spotify_emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[2]
TOKENISH = re.compile(r"[A-Za-z0-9_\-]{24,}")


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


def clean_environment() -> dict[str, str]:
    """This process's environment without anything that would steer login: no
    TAP_SPOTIFY_* settings, no MELTANO_* (login would think Meltano runs it)."""
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("TAP_SPOTIFY", "MELTANO_"))}
    return {**environ, "PYTHONPATH": str(REPO)}


class Login:
    """A running `python -m tap_spotify login ...` (or any command that ends up running
    it, such as `meltano invoke`) in its own working directory."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None, *,
                 command: list[str] | None = None, environ: dict[str, str] | None = None,
                 ) -> None:
        self.proc = subprocess.Popen(
            [*(command or [sys.executable, "-m", "tap_spotify", "login"]), *args], cwd=cwd,
            env={**(environ or clean_environment()), **(env or {})},
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

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def config_for(emu: EmulatorServer, **overrides: Any) -> dict[str, Any]:
    config = {
        "client_id": emu.backend.options.client_id,
        "client_secret": emu.backend.options.client_secret,
        "authorize_url": emu.authorize_url,
        "auth_url": emu.token_url,
    }
    config.update(overrides)
    return config


def play_browser(url: str) -> tuple[requests.Response, str]:
    """What a browser does after the user agrees: follow Spotify's redirect to the
    callback. Returns the callback's page and the code the redirect carried."""
    consent = requests.get(url, allow_redirects=False, timeout=30)
    assert consent.status_code == 302, consent.text
    location = consent.headers["Location"]
    query = {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}
    return requests.get(location, timeout=60), query.get("code", "")


def refreshes(emu: EmulatorServer, token: str) -> bool:
    """Whether the emulator's token endpoint takes `token`, as the tap will use it."""
    answer = requests.post(emu.token_url, timeout=30, auth=(
        emu.backend.options.client_id, emu.backend.options.client_secret),
        data={"grant_type": "refresh_token", "refresh_token": token})
    return answer.status_code == 200 and bool(answer.json().get("access_token"))


def today_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def assert_secret_free(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text
    tokenish = [word for word in TOKENISH.findall(text) if re.search(r"\d", word)
                and re.search(r"[a-z]", word) and re.search(r"[A-Z]", word)]
    assert not tokenish, "something token-like was printed"
