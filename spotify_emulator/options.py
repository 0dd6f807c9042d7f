"""Options of one emulator instance: catalog, tier, auth, listeners, limits, faults and
the hostile switches, each field with its help text (the command line is built from them).
"""

# ruff: noqa: RUF009 - option() returns dataclasses.field(...), which ruff cannot tell

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from tap_spotify.spotify import PLAYLIST_ITEMS_MAX_LIMIT

from .fields import option
from .http.hostile import Hostile
from .user.household import DEFAULT_LISTENER, LISTENERS, MAX_ALLOWLIST
from .user.oauth import redirect_problem

PROFILES = ("extended", "development")
RATE_LIMIT_VARIANTS = ("classic", "quota", "empty", "no_header")
FAULT_KINDS = ("500", "502", "503", "reset", "truncated", "non_json")

#: Fixed default "today" so default catalogs are byte-identical on any day.
DEFAULT_TODAY = datetime.date(2026, 11, 20)


@dataclasses.dataclass(frozen=True)
class EmulatorOptions(Hostile):
    """Everything that shapes an emulator; same options and seed give the same bytes.

    The hostile switches are the fields of ``Hostile`` (http/hostile.py), inherited so that
    they are declared once and carry the same names everywhere.
    """

    # catalog
    seed: int = option(0, "seed of every generated thing", group="catalog")
    new_releases: int = option(100, "albums listed by /browse/new-releases", group="catalog")
    track_counts: tuple[int, ...] | None = option(
        None, "comma list of track counts cycled over the listed albums", group="catalog"
    )
    today: datetime.date = option(
        DEFAULT_TODAY, "the catalog's today, YYYY-MM-DD", group="catalog"
    )
    release_spread_days: int = option(
        14, "listed albums are released within this many days before today", group="catalog"
    )
    back_catalog: int = option(20, "extra unlisted albums", group="catalog")
    # tier
    profile: str = option(
        "extended", "the app's tier (development: 2026 rules)", group="tier", choices=PROFILES
    )
    # auth
    token_ttl: float = option(3600.0, "seconds an access token lives", group="auth")
    client_id: str = option("emulator-client", group="auth")
    client_secret: str = option("emulator-secret", group="auth")
    redirect_uris: tuple[str, ...] | None = option(
        None,
        "comma list of registered redirect URIs /authorize must match exactly "
        "(default: any https URI or http://127.0.0.1|[::1]:ANY_PORT)",
        group="auth",
    )
    # listeners
    signed_in: str = option(
        DEFAULT_LISTENER, "the listener /authorize signs in", group="listeners", choices=LISTENERS
    )
    allowlist: tuple[str, ...] | None = option(
        None,
        "comma list of the listeners a development app may serve (default: every one)",
        group="listeners",
    )
    # limits
    playlist_items_max_limit: int = option(
        PLAYLIST_ITEMS_MAX_LIMIT,
        "largest limit /playlists/{id}/items accepts (100 as some reports say it still does)",
        group="rate limiting and caps",
    )
    rate_limit: int | None = option(
        None, "API requests per rolling window (default: unlimited)",
        group="rate limiting and caps",
    )
    rate_limit_window: float = option(30.0, "seconds", group="rate limiting and caps")
    retry_after: int | None = option(
        None, "fixed Retry-After of window 429s (default: seconds until a slot frees)",
        group="rate limiting and caps",
    )
    rate_limit_variant: str = option(
        "classic", group="rate limiting and caps", choices=RATE_LIMIT_VARIANTS
    )
    script_429_after: int | None = option(
        None, "the (N+1)-th API request answers one long 429", group="rate limiting and caps"
    )
    script_429_retry_after: int = option(86400, group="rate limiting and caps")
    script_429_variant: str = option(
        "classic", group="rate limiting and caps", choices=RATE_LIMIT_VARIANTS
    )
    # faults
    fault_rate: float = option(0.0, "share of requests that fault, 0..1", group="faults")
    fault_kinds: tuple[str, ...] = option(
        FAULT_KINDS, f"comma list out of {','.join(FAULT_KINDS)}", group="faults"
    )
    fault_seed: int = option(0, group="faults")
    faults_on_token: bool = option(True, "fault /api/token too", group="faults")
    latency_ms: float = option(0.0, "added to every API and token answer", group="faults")
    # server
    host: str = option("127.0.0.1", "bind address", group="server")
    port: int = option(0, "port, 0 = any free", group="server")
    request_log_limit: int = option(100_000, "requests kept in the stats log", group="server")

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.today, str):
            object.__setattr__(self, "today", datetime.date.fromisoformat(self.today))
        for name in ("fault_kinds", "track_counts", "redirect_uris", "allowlist"):
            value = getattr(self, name)
            if value is not None:
                cast = int if name == "track_counts" else str
                object.__setattr__(self, name, tuple(_items(value, cast)))
        self.validate()

    def validate(self) -> None:
        """Fail early with a clear message instead of misbehaving mid-test."""
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, got {self.profile!r}")
        for variant in (self.rate_limit_variant, self.script_429_variant):
            if variant not in RATE_LIMIT_VARIANTS:
                raise ValueError(f"rate limit variant must be one of {RATE_LIMIT_VARIANTS}")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within [0, 1]")
        if self.fault_rate > 0 and not self.fault_kinds:
            raise ValueError("fault_rate > 0 needs at least one fault kind")
        if self.new_releases < 0 or self.back_catalog < 0:
            raise ValueError("catalog sizes must be >= 0")
        if self.track_counts is not None and (not self.track_counts or min(self.track_counts) < 1):
            raise ValueError("track_counts must be a non-empty list of positive ints")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ValueError("rate_limit must be >= 0 or None")
        if self.token_ttl <= 0 or self.rate_limit_window <= 0:
            raise ValueError("token_ttl and rate_limit_window must be > 0")
        if self.release_spread_days < 0:
            raise ValueError("release_spread_days must be >= 0")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must be >= 0 or None")
        if self.playlist_items_max_limit < 1:
            raise ValueError("playlist_items_max_limit must be >= 1")
        for uri in self.redirect_uris or ():
            problem = redirect_problem(uri)
            if problem is not None:
                raise ValueError(f"redirect URI {uri!r} would be refused: {problem}")
        check_listeners(self.signed_in, self.allowlist)
        super().validate()

    def replace(self, **changes: object) -> EmulatorOptions:
        """A copy with some options changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def check_listeners(signed_in: str, allowlist: Sequence[str] | None) -> None:
    """Known listeners only, and at most five on an allowlist (Spotify's Development Mode)."""
    for user_id in (signed_in, *(allowlist or ())):
        if user_id not in LISTENERS:
            raise ValueError(f"unknown listener {user_id!r}; known: {LISTENERS}")
    if allowlist is not None and len(allowlist) > MAX_ALLOWLIST:
        raise ValueError(f"a Development Mode app allows at most {MAX_ALLOWLIST} listeners")


def _items(value: str | Sequence[object], cast: type) -> list[object]:
    """A sequence option given as a sequence or as one comma-separated string."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [cast(p.strip()) if isinstance(p, str) else cast(p) for p in parts if p != ""]
