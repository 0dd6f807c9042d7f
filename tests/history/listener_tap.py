"""A minimal Singer tap wiring the history streams with a listener, the way tap.py is
to wire them: `history_streams(tap, listener_id=...)`. Its `listener` setting is the
listener the tap knows (null: none). Each call of the listener is said on stderr."""

from __future__ import annotations

import sys

from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.streams import Stream

from tap_spotify.streams.history import HISTORY_SETTINGS, history_streams


class ListenerTap(Tap):
    name = "tap-history-listener"
    config_jsonschema = th.PropertiesList(*HISTORY_SETTINGS,
                                          th.Property("listener", th.StringType)).to_dict()

    def discover_streams(self) -> list[Stream]:
        def listener() -> str | None:
            print("listener asked", file=sys.stderr, flush=True)
            value = self.config.get("listener")
            return None if value is None else str(value)

        return history_streams(self, listener_id=listener)


if __name__ == "__main__":
    ListenerTap.cli()
