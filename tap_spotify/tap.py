"""tap-spotify: the tap and its settings."""

from __future__ import annotations

import copy
import datetime as dt
import typing as t

import jsonschema
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_spotify.client import SpotifyClient
from tap_spotify.errors import ConfigError
from tap_spotify.output import WholeLineWriter
from tap_spotify.streams.catalog import AlbumsStream, AlbumTracksStream, NewReleasesStream
from tap_spotify.streams.history import HISTORY_SETTINGS, history_streams
from tap_spotify.streams.user import (
    FollowedArtistsStream,
    MeStream,
    PlaylistItemsStream,
    PlaylistsStream,
    RecentlyPlayedStream,
    SavedAlbumsStream,
    SavedTracksStream,
    TopArtistsStream,
    TopTracksStream,
)

if t.TYPE_CHECKING:
    import logging

    from singer_sdk.streams import Stream

#: https, or plain http to this machine only: credentials must not cross a network in
#: clear text.
SAFE_URL = r"^(https://[^/\s]+|http://(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?)(/\S*)?$"

#: What to say when a value does not match its pattern.
PATTERN_HINTS = {
    "api_url": "it must be an https:// URL (plain http:// only to localhost: credentials "
               "would travel in clear text)",
    "auth_url": "it must be an https:// URL (plain http:// only to localhost: credentials "
                "would travel in clear text)",
    "market": "it must be a two-letter ISO 3166-1 country code such as ES or US, or unset",
    "start_date": "it must be a date written YYYY-MM-DD, such as 2026-01-31",
}


class TapSpotify(Tap):
    """Singer tap for Spotify: new releases, their full albums and their tracks."""

    name = "tap-spotify"
    message_writer_class = WholeLineWriter

    config_jsonschema = th.PropertiesList(
        th.Property("client_id", th.StringType,
                    description="Client ID of your Spotify app (developer dashboard)."),
        th.Property("client_secret", th.StringType, secret=True,
                    description="Client secret of your Spotify app."),
        th.Property("refresh_token", th.StringType, secret=True,
                    description="Your authorization to read your own data (user streams); "
                                "`tap-spotify login` writes it to .env."),
        th.Property("refresh_token_date", th.DateType(pattern=r"^\d{4}-\d{2}-\d{2}$"),
                    description="When you gave that authorization (written by login): "
                                "it lasts 6 months, and the tap warns in the last 14 days."),
        th.Property("api_url", th.StringType(pattern=SAFE_URL),
                    default="https://api.spotify.com/v1",
                    description="Base URL of the Spotify Web API."),
        th.Property("auth_url", th.StringType(pattern=SAFE_URL),
                    default="https://accounts.spotify.com/api/token",
                    description="Spotify's token endpoint."),
        th.Property("authorize_url", th.StringType(pattern=SAFE_URL),
                    default="https://accounts.spotify.com/authorize",
                    description="Spotify's authorization page (used by `tap-spotify login`)."),
        th.Property("market", th.StringType(pattern=r"^[A-Za-z]{2}$"),
                    description="ISO 3166-1 alpha-2 country code (e.g. ES): tracks are "
                                "relinked and marked playable for that market."),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=50), default=50,
                    description="Items per page, 1 to 50 (search pages hold at most 10)."),
        th.Property("start_date", th.DateType(pattern=r"^\d{4}-\d{2}-\d{2}$"),
                    description="First run only: skip albums surely released before this "
                                "date (YYYY-MM-DD)."),
        th.Property("new_releases_source", th.StringType, default="auto",
                    allowed_values=["auto", "browse", "search"],
                    description="auto: /browse/new-releases, or search tag:new when Spotify "
                                "answers 403 (Development Mode apps); browse; search."),
        th.Property("max_retry_wait", th.IntegerType(minimum=0, maximum=10**7), default=600,
                    description="Longest Retry-After (seconds) the tap waits out; a longer "
                                "rate-limit pause stops the run with a clear message."),
        th.Property("max_concurrency", th.IntegerType(minimum=1, maximum=32), default=8,
                    description="Most requests in flight at once, 1 to 32."),
        th.Property("request_timeout", th.IntegerType(minimum=1, maximum=600), default=30,
                    description="Longest one request may take, from connecting to the last "
                                "byte of the answer (seconds); then it is retried."),
        *HISTORY_SETTINGS,
    ).to_dict()

    def __init__(self, *, config: t.Any = None, validate_config: bool = True,
                 **kwargs: t.Any) -> None:
        if config is None or isinstance(config, dict):
            config = with_defaults(config or {}, self.config_jsonschema)
        try:
            super().__init__(config=config, validate_config=validate_config, **kwargs)
        except ConfigValidationError as exc:  # say it in one line that names the setting
            check_settings(self.config, self.settings_schema())
            raise ConfigError(f"the config is not valid: {exc.errors[0]}.") from None
        if validate_config:
            check_settings(self.config, self.settings_schema())
            self.warn_unknown_settings()
            warn_if_authorization_ends_soon(self.config, self.logger)
        if isinstance(self.message_writer, WholeLineWriter):
            self.message_writer.stop_on_signals(lambda: self.state)

    @classmethod
    def settings_schema(cls) -> dict:
        """Our settings and the SDK's own (stream maps, flattening, batches...)."""
        schema = copy.deepcopy(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return schema

    def warn_unknown_settings(self) -> None:
        known = set(self.settings_schema()["properties"])
        for key in sorted(set(self.config) - known):
            self.logger.warning("%s is not a setting of tap-spotify and is ignored: check "
                                "its spelling (`tap-spotify --about` lists the settings).", key)

    def discover_streams(self) -> list[Stream]:
        if history_only(self.config):
            self.logger.info("Only the listening-history streams run: streaming_history_path "
                             "is set, and no Spotify app credentials are.")
            return list(history_streams(self))
        client = SpotifyClient(self.config, self.logger)
        api_streams = (NewReleasesStream, AlbumsStream, AlbumTracksStream, MeStream,
                       RecentlyPlayedStream, TopTracksStream, TopArtistsStream,
                       SavedTracksStream, SavedAlbumsStream, FollowedArtistsStream,
                       PlaylistsStream, PlaylistItemsStream)
        return [*(cls(self, client) for cls in api_streams), *history_streams(self)]


def with_defaults(config: dict, schema: dict) -> dict:
    """The config with each unset or null setting at its default: null means default."""
    result = {key: value for key, value in config.items() if value is not None}
    for key, spec in schema["properties"].items():
        if result.get(key) is None and "default" in spec:
            result[key] = spec["default"]
    return result


#: A user's authorization lasts this long from consent (Spotify, since mid-2026)...
AUTHORIZATION_DAYS = 183
#: ...and the tap warns this long before it ends.
WARN_DAYS_BEFORE = 14


def history_only(config: t.Mapping[str, t.Any]) -> bool:
    """Only the downloaded history is configured: no Spotify app credentials."""
    return bool(config.get("streaming_history_path")) and not (
        config.get("client_id") or config.get("client_secret"))


def warn_if_authorization_ends_soon(config: t.Mapping[str, t.Any],
                                    logger: logging.Logger) -> None:
    given = config.get("refresh_token_date")
    if not (config.get("refresh_token") and given):
        return
    ends = dt.date.fromisoformat(str(given)[:10]) + dt.timedelta(days=AUTHORIZATION_DAYS)
    left = (ends - dt.datetime.now(dt.timezone.utc).date()).days
    if left <= WARN_DAYS_BEFORE:
        logger.warning("Your Spotify authorization (given %s) %s: run `tap-spotify login` "
                       "again to renew it.", given,
                       f"ends on {ends} (in {left} days)" if left >= 0 else f"ended on {ends}")


def check_settings(config: t.Mapping[str, t.Any], schema: dict) -> None:
    """Raise `ConfigError` for the first setting that cannot work, in one line that
    names it and says what to do."""
    for key in ("client_id", "client_secret"):
        if not str(config.get(key) or "").strip() and not history_only(config):
            raise ConfigError(
                f"{key} is missing or empty: set {key} in the config (or "
                f"TAP_SPOTIFY_{key.upper()} with --config ENV, or in .env) to your "
                "Spotify app's value.")
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(dict(config)),
                    key=lambda e: [str(p) for p in e.path])
    if errors:
        raise ConfigError(explain(errors[0], schema))


def explain(error: jsonschema.ValidationError, schema: dict) -> str:
    """One sentence for a JSON Schema error in the settings."""
    path = [str(p) for p in error.path]
    setting = path[0] if path else "the config"
    spec = schema["properties"].get(setting, {})
    shown = f"{setting} is {error.instance!r}"
    if error.validator in ("minimum", "maximum") or (
            error.validator == "type" and "integer" in spec.get("type", ())):
        low, high = spec.get("minimum"), spec.get("maximum")
        return f"{shown}: it must be a whole number from {low} to {high}."
    if error.validator == "pattern":
        return f"{shown}: {PATTERN_HINTS.get(setting, 'it does not have the expected form')}."
    if error.validator == "enum":
        return f"{shown}: use one of {', '.join(map(str, error.validator_value))}."
    if len(path) > 1:
        return f"{'.'.join(path)} is {error.instance!r}: {error.message}."
    return f"{shown}: {error.message}."
