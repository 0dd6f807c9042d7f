"""tap-spotify's settings: declared once here, read once into one typed object.

`SETTINGS_SCHEMA` declares each setting (type, default, description, secret) for
`--about`, Meltano and the SDK; `Settings.read` turns a config (a file, Meltano's, or
`TAP_SPOTIFY_*` variables with `--config ENV`) into the `Settings` every stream, the
client and `login` use. A value that cannot work is one line naming the setting and
what to do; a secret's value is never repeated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import typing as t
import zoneinfo

from singer_sdk import typing as th

from tap_spotify import spotify
from tap_spotify.errors import ConfigError

#: TAP_SPOTIFY_* variables that are not settings: the SDK's log level, and the clone
#: Meltano installs the tap from (tap-spotify.yml).
ENV_PREFIX = "TAP_SPOTIFY_"
NOT_SETTINGS = frozenset({"LOGLEVEL", "CHECKOUT"})

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_URL_HINT = ("it must be an https:// URL (plain http:// only to localhost: credentials "
             "would travel in clear text)")

#: One path, or a list: the setting takes either, in every form (a JSON list in a
#: string included, as environment variables and `meltano config set` carry it).
PATHS = th.CustomType({"type": ["array", "string"], "items": {"type": "string"}})

SETTINGS_SCHEMA = th.PropertiesList(
    th.Property("client_id", th.StringType,
                description="Client ID of your Spotify app (developer dashboard)."),
    th.Property("client_secret", th.StringType, secret=True,
                description="Client secret of your Spotify app."),
    th.Property("refresh_token", th.StringType, secret=True,
                description="A listener's authorization to read their own data (the user "
                            "streams); `tap-spotify login` stores it."),
    th.Property("refresh_token_date", th.DateType(pattern=_DATE),
                description="The day that authorization was given (stored by login): it "
                            "lasts 6 months, and the tap warns in the last 14 days."),
    th.Property("listener_id", th.StringType,
                description="Whose data this is: the key that tells listeners apart in "
                            "one warehouse. Default: the Spotify account's id (from /me), "
                            "or the download's username."),
    th.Property("time_zone", th.StringType, default="UTC",
                description="The listener's time zone (IANA name such as Europe/Madrid), "
                            "for the models' days and hours."),
    th.Property("streaming_history_path", PATHS,
                description="Spotify's downloadable listening history: the .zip Spotify "
                            "sent, the folder it was extracted to, or single history "
                            "files; one path or a list. Needs no Spotify credentials."),
    th.Property("api_url", th.StringType(pattern=spotify.CREDENTIAL_URL_PATTERN),
                default=spotify.API_URL, description="Base URL of the Spotify Web API."),
    th.Property("auth_url", th.StringType(pattern=spotify.CREDENTIAL_URL_PATTERN),
                default=spotify.TOKEN_URL, description="Spotify's token endpoint."),
    th.Property("authorize_url", th.StringType(pattern=spotify.CREDENTIAL_URL_PATTERN),
                default=spotify.AUTHORIZE_URL,
                description="Spotify's authorization page (used by `tap-spotify login`)."),
    th.Property("market", th.StringType(pattern=r"^[A-Za-z]{2}$"),
                description="ISO 3166-1 alpha-2 country code (e.g. ES): tracks are "
                            "relinked and marked playable for that market."),
    th.Property("page_size", th.IntegerType(minimum=1, maximum=spotify.MAX_PAGE_SIZE),
                default=spotify.MAX_PAGE_SIZE,
                description="Items per page, 1 to 50 (search pages hold at most 10)."),
    th.Property("start_date", th.DateType(pattern=_DATE),
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
    th.Property("metrics_log_level", th.StringType, default="WARNING",
                allowed_values=list(LOG_LEVELS),
                description="Level of the SDK's METRIC lines on stderr: INFO shows them; "
                            "the default WARNING keeps stderr to lines a person reads."),
).to_dict()


class Secret(str):
    """A secret setting's value: shown as `***` wherever it is printed by mistake."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting, typed and checked: what the streams, the client and login read."""

    client_id: str | None = None
    client_secret: Secret | None = None
    refresh_token: Secret | None = None
    refresh_token_date: dt.date | None = None
    listener_id: str | None = None
    time_zone: str = "UTC"
    streaming_history_path: tuple[str, ...] = ()
    api_url: str = spotify.API_URL
    auth_url: str = spotify.TOKEN_URL
    authorize_url: str = spotify.AUTHORIZE_URL
    market: str | None = None
    page_size: int = spotify.MAX_PAGE_SIZE
    start_date: dt.date | None = None
    new_releases_source: str = "auto"
    max_retry_wait: int = 600
    max_concurrency: int = 8
    request_timeout: int = 30
    metrics_log_level: str = "WARNING"

    @classmethod
    def read(cls, config: t.Mapping[str, t.Any],
             written_as: t.Mapping[str, str] | None = None) -> Settings:
        """The settings in `config` (null or absent: the default), or ConfigError for
        the first one that cannot work, naming it as the user wrote it (`written_as`:
        the variable a value came from)."""
        values = {}
        for name, spec in SETTINGS_SCHEMA["properties"].items():
            value = config.get(name)
            if value is None:
                continue
            try:
                values[name] = parse(name, value, spec)
            except ConfigError as exc:
                message = str(exc)
                if written_as and name in written_as and message.startswith(name):
                    raise ConfigError(written_as[name] + message[len(name):]) from None
                raise
        return cls(**values)

    @property
    def has_app(self) -> bool:
        """Whether Spotify app credentials are set (the API streams can run)."""
        return bool(self.client_id or self.client_secret)

    @property
    def history_only(self) -> bool:
        """Only the downloaded history is configured: no Spotify app credentials."""
        return bool(self.streaming_history_path) and not self.has_app

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be printed."""
        return tuple(v for v in (self.client_secret, self.refresh_token) if v)

    def check_credentials(self) -> None:
        """ConfigError unless the API streams can authenticate (or only history runs)."""
        if self.history_only:
            return
        for name in ("client_id", "client_secret"):
            if not getattr(self, name):
                raise ConfigError(
                    f"{name} is missing or empty: set {name} in the config file, or "
                    f"{ENV_PREFIX}{name.upper()} in the environment or .env and run with "
                    "--config ENV, to your Spotify app's value (or set only "
                    "streaming_history_path to load a download without an app).")

    def authorization_ends(self) -> dt.date | None:
        """When the stored authorization ends, if the day it was given is known."""
        if not (self.refresh_token and self.refresh_token_date):
            return None
        return spotify.authorization_ends(self.refresh_token_date)

    def as_config(self) -> dict[str, t.Any]:
        """JSON-ready values, for the SDK's own config (it reads stream maps and the
        like from there)."""
        config: dict[str, t.Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Secret):
                value = str(value)
            if value is not None:
                config[field.name] = value
        return config


def parse(name: str, value: t.Any, spec: dict) -> t.Any:
    """One setting's value, typed; ConfigError in one line when it cannot work."""
    secret = bool(spec.get("secret"))
    shown = "its value" if secret else repr(value)
    if name == "streaming_history_path":
        return parse_paths(value)
    types = spec.get("type", ())
    if "integer" in types:
        return parse_int(name, value, spec)
    if not isinstance(value, str):
        kind = {bool: "true or false", int: "a number", float: "a number", list: "a list",
                dict: "an object"}.get(type(value), "not text")
        raise ConfigError(f"{name} must be text, not {kind}"
                          f"{'' if secret else f' ({shown})'}.")
    text = value.strip()
    if not text:  # empty, as blanked in a file or a Meltano plugin: unset
        return None
    if spec.get("format") == "date":
        return parse_date(name, text)
    if "enum" in spec:
        choices = spec["enum"]
        match = next((c for c in choices if c.lower() == text.lower()), None)
        if match is None:
            raise ConfigError(f"{name} is {shown}: use one of {', '.join(choices)}.")
        return match
    if "pattern" in spec and not re.search(spec["pattern"], text):
        hint = {"market": "it must be a two-letter ISO 3166-1 country code such as ES or "
                          "US, or unset"}.get(name, _URL_HINT)
        raise ConfigError(f"{name} is {shown}: {hint}.")
    if name == "time_zone":
        return parse_time_zone(text)
    if name == "market":
        return text.upper()
    if secret:
        return Secret(text) if text else None
    return text or None


def parse_int(name: str, value: t.Any, spec: dict) -> int:
    low, high = spec.get("minimum"), spec.get("maximum")
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        number = int(value)
    if number is None or (low is not None and number < low) or (
            high is not None and number > high):
        raise ConfigError(f"{name} is {value!r}: it must be a whole number from {low} to "
                          f"{high}.")
    return number


def parse_date(name: str, text: str) -> dt.date:
    if not re.fullmatch(_DATE.strip("^$"), text):
        raise ConfigError(f"{name} is {text!r}: it must be a date written YYYY-MM-DD, such "
                          "as 2026-01-31.")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} is {text!r}: no such day; give a date that exists, "
                          "written YYYY-MM-DD.") from None


def parse_time_zone(text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ConfigError(f"time_zone is {text!r}: it must be an IANA time zone name such "
                          "as Europe/Madrid, America/New_York or UTC.") from None
    return text


def parse_paths(value: t.Any) -> tuple[str, ...]:
    """One path or a list of them: a string (a plain path, or a JSON list as variables
    carry it) or a list of strings. Blank entries are dropped."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        with contextlib.suppress(ValueError):  # else a path that starts with "["
            value = json.loads(value)
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError("streaming_history_path must be a path, or a list of paths "
                          '(in a variable: a path, or a JSON list such as ["a.zip", "b/"]).')
    return tuple(p.strip() for p in paths if p.strip())


def settings_from_environment(environ: t.Mapping[str, str],
                              schema: dict) -> dict[str, t.Any]:
    """`TAP_SPOTIFY_<NAME>` variables of the settings in `schema`, as a config file
    would hold them. Ours stay text (`Settings.read` parses them); the SDK's own
    (stream maps, flattening...) are decoded by their type."""
    config: dict[str, t.Any] = {}
    for name, spec in schema["properties"].items():
        variable = ENV_PREFIX + name.upper()
        value = environ.get(variable)
        if value is None:
            continue
        types = spec.get("type", ())
        if name in SETTINGS_SCHEMA["properties"] or "string" in types:
            config[name] = value
        elif "boolean" in types:
            config[name] = value.strip().lower() in ("1", "true", "t", "yes", "y", "on")
        elif "integer" in types:
            config[name] = parse_int(variable, value, spec)
        else:
            try:
                config[name] = json.loads(value)
            except ValueError:
                raise ConfigError(f"{variable} is not valid JSON: {name} takes a JSON "
                                  f"{'object' if 'object' in types else 'value'}.") from None
    return config


def unknown_variables(environ: t.Mapping[str, str], schema: dict) -> list[str]:
    """`TAP_SPOTIFY_*` variables that name no setting (a misspelling, most likely).
    `TAP_SPOTIFY__*` ones are Meltano's own, and inherited plugins'."""
    known = {ENV_PREFIX + name.upper() for name in schema["properties"]}
    # Meltano also exports an object setting's nested keys (TAP_SPOTIFY_STREAM_MAPS_X_Y).
    nested = tuple(ENV_PREFIX + name.upper() + "_" for name, spec in
                   schema["properties"].items() if "object" in spec.get("type", ()))
    return sorted(key for key in environ
                  if key.startswith(ENV_PREFIX) and not key.startswith(ENV_PREFIX + "_")
                  and key not in known and key[len(ENV_PREFIX):] not in NOT_SETTINGS
                  and not key.startswith(nested))
