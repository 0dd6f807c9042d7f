"""The Meltano SDK's standard tap tests, run against a live emulator."""

from __future__ import annotations

import atexit

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from spotify_emulator import EmulatorOptions, EmulatorServer
from tap_spotify.tap import TapSpotify
from tests.tap.conftest import refresh_token_for

# The SDK builds the test class from a config at import time, so the emulator it
# points at starts here and stops when the test process exits.
_EMULATOR = EmulatorServer(EmulatorOptions(new_releases=60, seed=42)).start()
atexit.register(_EMULATOR.stop)

TestTapSpotify = get_tap_test_class(
    tap_class=TapSpotify,
    config={
        "client_id": _EMULATOR.backend.options.client_id,
        "client_secret": _EMULATOR.backend.options.client_secret,
        "api_url": _EMULATOR.api_url,
        "auth_url": _EMULATOR.token_url,
        "refresh_token": refresh_token_for(_EMULATOR),  # so the user streams run too
    },
    suite_config=SuiteConfig(max_records_limit=None),
)
