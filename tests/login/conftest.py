"""Fixtures of the login tests: a working directory of their own, a config file pointing
at the emulator, and logins started there (and killed if a test leaves one running)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spotify_emulator import EmulatorServer
from tests.login.helpers import Login, config_for


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
def start_login(workdir: Path) -> Iterator[Callable[..., Login]]:
    """`start_login(*args, env=..., cwd=...)` -> Login; each is stopped at the end."""
    started: list[Login] = []

    def _start(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               ) -> Login:
        login = Login(list(args), cwd or workdir, env)
        started.append(login)
        return login

    yield _start
    for login in started:
        login.stop()
