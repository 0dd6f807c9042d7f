"""tap-spotify: the tap, its streams and its settings, on the Meltano Singer SDK."""

from __future__ import annotations

import datetime as dt
import logging
import os
import typing as t

import click
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError, StreamMapConfigError
from typing_extensions import override

from tap_spotify.envfile import login_command
from tap_spotify.errors import ConfigError
from tap_spotify.settings import (
    SETTINGS_SCHEMA,
    Settings,
    settings_from_environment,
    unknown_variables,
)

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

    from tap_spotify.output import WholeLineWriter


#: The SDK's logger of METRIC lines, whose level `metrics_log_level` sets.
METRICS_LOGGER = "singer_sdk.metrics"
#: A user's authorization is reported this many days before it ends.
WARN_DAYS_BEFORE = 14


class TapSpotify(Tap):
    """Singer tap for Spotify: the public catalog, a listener's own data, and their
    downloaded listening history."""

    name = "tap-spotify"
    config_jsonschema = SETTINGS_SCHEMA

    @property
    @override
    def message_writer_class(self) -> type[WholeLineWriter]:  # type: ignore[override]
        """Singer output in whole lines (output.py), loaded only by a run that writes."""
        from tap_spotify.output import WholeLineWriter

        return WholeLineWriter

    @override
    def __init__(self, *, config: t.Any = None, parse_env_config: bool = False,
                 validate_config: bool = True, **kwargs: t.Any) -> None:
        raw = dict(config) if isinstance(config, dict) else {}
        schema = self.settings_schema()
        from_environment = settings_from_environment(os.environ, schema) \
            if parse_env_config else {}  # read here, the same way as a config file's
        raw.update(from_environment)
        try:
            self.settings = Settings.read(raw, {name: f"TAP_SPOTIFY_{name.upper()}"
                                                for name in from_environment})
        except ConfigError:
            if validate_config:
                raise
            self.settings = Settings()  # discovery: the streams do not depend on it
        builtins = {key: value for key, value in raw.items()
                    if key not in SETTINGS_SCHEMA["properties"] and value is not None}
        try:
            super().__init__(config={**builtins, **self.settings.as_config()},
                             parse_env_config=False, validate_config=validate_config,
                             **kwargs)
        except ConfigValidationError as exc:
            raise ConfigError(f"the config is not valid: {exc.errors[0]}.") from None
        except StreamMapConfigError as exc:
            raise ConfigError(
                f"stream_maps cannot be applied: {exc} (If that stream is not selected: "
                "this Singer SDK cannot compile a map of a stream that is not selected, "
                "meltano/sdk#1942; map only selected streams.)") from None
        logging.getLogger(METRICS_LOGGER).setLevel(self.settings.metrics_log_level)
        if validate_config:
            self.settings.check_credentials()
            self.warn_unknown_settings(raw, schema)
            self.warn_if_authorization_ends_soon()
        from tap_spotify.output import WholeLineWriter

        if isinstance(self.message_writer, WholeLineWriter):
            self.message_writer.stop_on_signals(lambda: self.state)

    @classmethod
    @override
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, with `login` as a subcommand."""
        from tap_spotify.cli import singer_group

        return singer_group(super().get_singer_command(), cls.invoke)

    @classmethod
    def settings_schema(cls) -> dict:
        """Our settings and the SDK's own (stream maps, flattening, batches...)."""
        schema = {**SETTINGS_SCHEMA, "properties": dict(SETTINGS_SCHEMA["properties"])}
        cls.append_builtin_config(schema)
        return schema

    def warn_unknown_settings(self, config: t.Mapping[str, t.Any], schema: dict) -> None:
        """A setting no one reads is most likely misspelt: in a config file, or as a
        TAP_SPOTIFY_* variable."""
        unknown = [key for key in config if key not in schema["properties"]]
        unknown += unknown_variables(os.environ, schema)
        for key in sorted(unknown):
            self.logger.warning("%s is not a setting of tap-spotify and is ignored: check "
                                "its spelling (`tap-spotify --about` lists the settings).",
                                key)

    def warn_if_authorization_ends_soon(self) -> None:
        ends = self.settings.authorization_ends()
        if ends is None:
            return
        left = (ends - dt.datetime.now(dt.timezone.utc).date()).days
        if left <= WARN_DAYS_BEFORE:
            self.logger.warning(
                "Your Spotify authorization (given %s) %s: run `%s` again to renew it.",
                self.settings.refresh_token_date,
                f"ends on {ends} (in {left} days)" if left >= 0 else f"ended on {ends}",
                login_command(os.environ))

    @override
    def load_state(self, state: dict[str, t.Any]) -> None:
        """Refuse, in one line, a state whose shape no stream of ours wrote."""
        from tap_spotify.streams import check_state_shape

        check_state_shape(state)
        super().load_state(state)

    @override
    def discover_streams(self) -> list[Stream]:
        """Every stream, whatever the settings: which ones have something to read is
        decided when they sync, so discovery and a sync never disagree."""
        # The streams are imported here: --about and --help need none of them.
        from tap_spotify.api import SpotifyClient
        from tap_spotify.streams import API_STREAMS
        from tap_spotify.streams.history import download_username, history_streams
        from tap_spotify.streams.listeners import Listener, ListenersStream

        client = SpotifyClient(self.settings, self.logger, login_command(os.environ))
        paths = self.settings.streaming_history_path
        listener = Listener(self.settings, client, lambda: download_username(paths))
        return [ListenersStream(self, listener),
                *(cls(self, client, listener) for cls in API_STREAMS),
                *history_streams(self, listener_id=listener.known)]
