"""Run the real tap as a subprocess against an emulator, the way a user's pipeline does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devkit.emulator import refresh_token_for as devkit_refresh_token
from devkit.tap import TapRun, run_tap
from spotify_emulator import EmulatorServer
from tap_spotify.spotify import READ_SCOPES

REPO = Path(__file__).resolve().parents[2]


def tap_config(emu: EmulatorServer, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "client_id": emu.backend.options.client_id,
        "client_secret": emu.backend.options.client_secret,
        "api_url": emu.api_url,
        "auth_url": emu.token_url,
    }
    config.update(overrides)
    return config


ALL_SCOPES = READ_SCOPES


def refresh_token_for(emu: EmulatorServer, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
    """The default listener's refresh token, as a browser and `tap-spotify login` get
    one, for these scopes."""
    return devkit_refresh_token(emu, scopes=scopes)


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
