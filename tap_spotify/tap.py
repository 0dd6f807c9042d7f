"""tap-spotify: the tap, its settings, and its command line."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import sys
import typing as t
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv
from singer_sdk import Tap
from singer_sdk import typing as th

from tap_spotify.connection import SpotifyConnection, close_connections
from tap_spotify.errors import ConfigError, TapSpotifyError
from tap_spotify.streams import AlbumsStream, AlbumTracksStream, NewReleasesStream
from tap_spotify.writer import BufferedSingerWriter

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

NEW_RELEASES_SOURCES = ("auto", "browse", "search")


class TapSpotify(Tap):
    """Singer tap for Spotify's new album releases, their full albums and their tracks."""

    name = "tap-spotify"
    message_writer_class = BufferedSingerWriter

    config_jsonschema = th.PropertiesList(
        th.Property("client_id", th.StringType, required=True,
                    description="Client ID of your Spotify app (developer dashboard)."),
        th.Property("client_secret", th.StringType, required=True, secret=True,
                    description="Client secret of your Spotify app."),
        th.Property("api_url", th.StringType, default="https://api.spotify.com/v1",
                    description="Base URL of the Spotify Web API."),
        th.Property("auth_url", th.StringType,
                    default="https://accounts.spotify.com/api/token",
                    description="Spotify's token endpoint (client-credentials flow)."),
        th.Property("market", th.StringType,
                    description="ISO 3166-1 alpha-2 country code (e.g. ES): tracks are "
                                "relinked and marked playable for that market."),
        th.Property("page_size", th.IntegerType, default=50,
                    description="Items per page, 1 to 50 (search pages hold at most 10)."),
        th.Property("start_date", th.DateType,
                    description="First run only: skip albums released before this date."),
        th.Property("lookback_days", th.IntegerType, default=14,
                    description="Albums released up to this many days before the bookmark "
                                "are still synced once (Spotify lists some albums late)."),
        th.Property("new_releases_source", th.StringType, default="auto",
                    allowed_values=list(NEW_RELEASES_SOURCES),
                    description="auto: /browse/new-releases, or search tag:new when Spotify "
                                "answers 403 (Development Mode apps); browse; search."),
        th.Property("max_retry_wait", th.IntegerType, default=600,
                    description="Longest Retry-After (seconds) the tap waits out; a longer "
                                "rate-limit pause stops the run with a clear message."),
        th.Property("max_concurrency", th.IntegerType, default=8,
                    description="Most requests in flight at once (1 to 32)."),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [NewReleasesStream(self), AlbumsStream(self), AlbumTracksStream(self)]

    @cached_property
    def connection(self) -> SpotifyConnection:
        return SpotifyConnection(self.config, self.logger)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Our checks first: each failure is one line that says what to do."""
        if raise_errors:
            check_settings(self.config)
        return super()._validate_config(raise_errors=raise_errors)


def check_settings(config: t.Mapping[str, t.Any]) -> None:
    """Raise `ConfigError` for the first setting that cannot work."""
    for key in ("client_id", "client_secret"):
        if not str(config.get(key) or "").strip():
            raise ConfigError(
                f"{key} is missing or empty: set {key} in the config (or "
                f"TAP_SPOTIFY_{key.upper()} with --config ENV, or in .env) to your "
                "Spotify app's value."
            )
    page_size = config.get("page_size", 50)
    if not _is_int(page_size) or not 1 <= page_size <= 50:
        raise ConfigError(f"page_size is {page_size!r}: it must be a whole number from 1 to 50.")
    market = config.get("market")
    if market is not None and not re.fullmatch(r"[A-Za-z]{2}", str(market)):
        raise ConfigError(f"market is {market!r}: it must be a two-letter ISO 3166-1 "
                          "country code such as ES or US, or left unset.")
    start_date = config.get("start_date")
    if start_date is not None and not _is_date(str(start_date)):
        raise ConfigError(f"start_date is {start_date!r}: it must be a date such as 2026-01-31.")
    for key, low, high in (("lookback_days", 0, 3650), ("max_retry_wait", 0, 10**7),
                           ("max_concurrency", 1, 32)):
        value = config.get(key)
        if value is not None and (not _is_int(value) or not low <= value <= high):
            raise ConfigError(f"{key} is {value!r}: it must be a whole number from {low} "
                              f"to {high}.")
    source = config.get("new_releases_source", "auto")
    if source not in NEW_RELEASES_SOURCES:
        raise ConfigError(f"new_releases_source is {source!r}: use one of "
                          f"{', '.join(NEW_RELEASES_SOURCES)}.")
    for key in ("api_url", "auth_url"):
        if key in config:
            _check_url(key, str(config[key]))


def _check_url(key: str, url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "https" and parsed.hostname:
        return
    if parsed.scheme == "http" and parsed.hostname and _is_loopback(parsed.hostname):
        return
    if parsed.scheme == "http":
        raise ConfigError(f"{key} is {url!r}: plain http:// would send credentials in clear "
                          "text; use https://, or http:// only to localhost.")
    raise ConfigError(f"{key} is {url!r}: it must be an https:// URL.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_int(value: object) -> t.TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return len(value) == 10 or value[10] in "T "


def main() -> None:
    """Console entry point: reads `.env` from the working directory, runs the SDK's CLI,
    and reports our errors as one line with a non-zero exit, never a traceback."""
    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        TapSpotify.cli()
    except TapSpotifyError as exc:
        close_connections()  # let requests in flight finish before the last word
        print(f"tap-spotify: error: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        close_connections()


if __name__ == "__main__":
    main()
