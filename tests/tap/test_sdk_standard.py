"""The Meltano SDK's standard tap tests, run against a live emulator."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from spotify_emulator import EmulatorOptions, EmulatorServer
from tap_spotify.tap import TapSpotify
from tests.tap.conftest import refresh_token_for

# The SDK builds the test class from a config at import time, so the emulator it
# points at starts here and stops when the test process exits.
_EMULATOR = EmulatorServer(EmulatorOptions(new_releases=60, seed=42)).start()
atexit.register(_EMULATOR.stop)

# A small download, so that the history streams have records to test too.
_DOWNLOAD = Path(tempfile.mkdtemp(prefix="tap-spotify-sdk-tests-"))
atexit.register(shutil.rmtree, _DOWNLOAD, ignore_errors=True)
(_DOWNLOAD / "Streaming_History_Audio_2025.json").write_text(json.dumps([
    {"ts": "2025-01-02T10:00:00Z", "platform": "linux", "ms_played": 180000,
     "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC"}]))
(_DOWNLOAD / "StreamingHistory_music_0.json").write_text(json.dumps([
    {"endTime": "2025-01-02 10:00", "artistName": "An Artist", "trackName": "A Track",
     "msPlayed": 180000}]))

TestTapSpotify = get_tap_test_class(
    tap_class=TapSpotify,
    config={
        "client_id": _EMULATOR.backend.options.client_id,
        "client_secret": _EMULATOR.backend.options.client_secret,
        "api_url": _EMULATOR.api_url,
        "auth_url": _EMULATOR.token_url,
        "refresh_token": refresh_token_for(_EMULATOR),  # so the user streams run too
        "streaming_history_path": str(_DOWNLOAD),  # and the history streams
    },
    suite_config=SuiteConfig(max_records_limit=None),
)
