"""Options of one emulator instance (catalog, profile, auth, limits, faults, hostility)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from .hostile import hostile_settings
from .oauth import redirect_problem

PROFILES = ("extended", "development")
RATE_LIMIT_VARIANTS = ("classic", "quota", "empty", "no_header")
FAULT_KINDS = ("500", "502", "503", "reset", "truncated", "non_json")

#: Fixed default "today" so default catalogs are byte-identical on any day.
DEFAULT_TODAY = datetime.date(2026, 11, 20)


@dataclasses.dataclass
class EmulatorOptions:
    """Everything that shapes an emulator; same options and seed give the same bytes."""

    # catalog
    seed: int = 0
    new_releases: int = 100
    track_counts: Sequence[int] | None = None
    today: datetime.date = DEFAULT_TODAY
    release_spread_days: int = 14
    back_catalog: int = 20
    # tier
    profile: str = "extended"
    # auth
    token_ttl: float = 3600.0
    client_id: str = "emulator-client"
    client_secret: str = "emulator-secret"
    #: Registered redirect URIs /authorize must match exactly; None accepts any
    #: secure one (https, or http to 127.0.0.1 / [::1] on any port).
    redirect_uris: Sequence[str] | None = None
    # rate limiting
    rate_limit: int | None = None
    rate_limit_window: float = 30.0
    #: Fixed Retry-After of window 429s; None (default) computes it from the window.
    retry_after: int | None = None
    rate_limit_variant: str = "classic"
    script_429_after: int | None = None
    script_429_retry_after: int = 86400
    script_429_variant: str = "classic"
    # faults
    fault_rate: float = 0.0
    fault_kinds: Sequence[str] = FAULT_KINDS
    fault_seed: int = 0
    faults_on_token: bool = True
    latency_ms: float = 0.0
    # hostile behaviours (robustness tests; see hostile.py): all off by default
    next_base: str | None = None
    loop_next: bool = False
    total: int | None = None
    ignore_offset: bool = False
    trickle_ms: float = 0.0
    retry_after_raw: str | None = None
    status_for: str | None = None
    status_code: int = 404
    # server
    host: str = "127.0.0.1"
    port: int = 0
    request_log_limit: int = 100_000

    def __post_init__(self) -> None:
        if isinstance(self.today, str):
            self.today = datetime.date.fromisoformat(self.today)
        self.fault_kinds = tuple(self.fault_kinds)
        if self.track_counts is not None:
            self.track_counts = tuple(int(n) for n in self.track_counts)
        if self.redirect_uris is not None:
            self.redirect_uris = tuple(self.redirect_uris)
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
        for uri in self.redirect_uris or ():
            problem = redirect_problem(uri)
            if problem is not None:
                raise ValueError(f"redirect URI {uri!r} would be refused: {problem}")
        hostile_settings(self).validate()

    def replace(self, **changes: object) -> EmulatorOptions:
        """A copy with some options changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
