"""Shared pytest fixtures for the Spotify emulator (emulator fixtures only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from spotify_emulator import EmulatorOptions, EmulatorServer


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A running emulator with default options (seed 0, 100 new releases)."""
    with EmulatorServer(EmulatorOptions()) as emu:
        yield emu


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EmulatorServer]]:
    """Factory: ``make_emulator(profile="development", rate_limit=5)`` -> started server.

    Every server it made is stopped at teardown.
    """
    started: list[EmulatorServer] = []

    def _make(**options: Any) -> EmulatorServer:
        emu = EmulatorServer(EmulatorOptions(**options)).start()
        started.append(emu)
        return emu

    yield _make
    for emu in reversed(started):
        emu.stop()
