"""Run the real tap as a subprocess against an emulator, the way a user's pipeline does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from spotify_emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[2]


@dataclass
class TapRun:
    """One finished run of `tap-spotify`: exit code, raw output, parsed Singer messages."""

    returncode: int
    stdout: bytes
    stderr: str
    seconds: float
    messages: list[dict] = field(default_factory=list)

    def records(self, stream: str) -> list[dict]:
        return [m["record"] for m in self.messages
                if m["type"] == "RECORD" and m["stream"] == stream]

    def ids(self, stream: str) -> list[str]:
        return [r["id"] for r in self.records(stream)]

    def track_pairs(self) -> list[tuple[str, str]]:
        return [(r["album_id"], r["id"]) for r in self.records("album_tracks")]

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def state(self) -> dict:
        return self.states[-1]

    @property
    def last_stderr_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def tap_config(emu: EmulatorServer, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "client_id": emu.backend.options.client_id,
        "client_secret": emu.backend.options.client_secret,
        "api_url": emu.api_url,
        "auth_url": emu.token_url,
    }
    config.update(overrides)
    return config


ALL_SCOPES = ("user-read-private", "user-read-email", "user-read-recently-played",
              "user-top-read", "user-library-read", "user-follow-read",
              "playlist-read-private", "playlist-read-collaborative")


def refresh_token_for(emu: EmulatorServer, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
    """A user's refresh token, the way a browser and `tap-spotify login` get one: the
    emulator's /authorize approves at once and redirects with a code."""
    redirect = "http://127.0.0.1:8888/callback"
    options = emu.backend.options
    answer = requests.get(emu.authorize_url, allow_redirects=False, timeout=10, params={
        "client_id": options.client_id, "response_type": "code", "redirect_uri": redirect,
        "state": "s", "scope": " ".join(scopes)})
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    token = requests.post(emu.token_url, auth=(options.client_id, options.client_secret),
                          timeout=10, data={"grant_type": "authorization_code", "code": code,
                                            "redirect_uri": redirect})
    token.raise_for_status()
    return str(token.json()["refresh_token"])


def run_tap(tmp_path: Path, config: dict[str, Any], *, state: dict | None = None,
            catalog: dict | None = None, timeout: float = 300,
            extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None,
            singer_output: bool = True) -> TapRun:
    """Run `python -m tap_spotify --config ...` and parse everything it printed."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config_file = tmp_path / f"config-{time.monotonic_ns()}.json"
    config_file.write_text(json.dumps(config))
    args = [sys.executable, "-m", "tap_spotify", "--config", str(config_file), *extra_args]
    if state is not None:
        state_file = tmp_path / f"state-{time.monotonic_ns()}.json"
        state_file.write_text(json.dumps(state))
        args += ["--state", str(state_file)]
    if catalog is not None:
        catalog_file = tmp_path / f"catalog-{time.monotonic_ns()}.json"
        catalog_file.write_text(json.dumps(catalog))
        args += ["--catalog", str(catalog_file)]
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, timeout=timeout, cwd=tmp_path,
                          env={**os.environ, **(env or {})}, check=False)
    run = TapRun(proc.returncode, proc.stdout, proc.stderr.decode(), time.monotonic() - started)
    if singer_output:
        for line in proc.stdout.splitlines():
            run.messages.append(json.loads(line))  # every stdout line: a Singer message
    return run


def expected_tracks(emu: EmulatorServer, album_ids: list[str]) -> list[tuple[str, str]]:
    """(album_id, track id) pairs the emulator's catalog holds for these albums."""
    albums = emu.backend.catalog.albums
    return [(album_id, track.id) for album_id in album_ids for track in albums[album_id].tracks]


@pytest.fixture
def tap_run(tmp_path: Path):
    """`tap_run(config, state=...)` runs the tap once in this test's temp folder."""

    def run(config: dict[str, Any], **kwargs: Any) -> TapRun:
        return run_tap(tmp_path / "run", config, **kwargs)

    return run
