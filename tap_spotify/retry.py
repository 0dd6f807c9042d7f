"""The one retry policy every request follows, API and token requests alike.

The `backoff` library (which the SDK's `request_decorator` uses) sends each failure
into `waits`; it answers how long to wait before the next try, or raises
`RequestFailed` to give up:

- 429: exactly Retry-After (one longer than `max_retry_wait` never gets here), for
  every worker at once (`RateGate`), or exponential backoff when Spotify gives none;
  at most MAX_RATE_LIMIT_WAITS waits.
- 5xx, resets, timeouts, broken bodies: full-jitter exponential backoff, MAX_TRIES
  tries (3 for a refused connection: usually a wrong URL, not a flaky network).
- 401: once more at once, with a new token (the stream dropped the old one).
- an unknown host name, a bad certificate, an answer larger than any Spotify sends:
  no retry.
"""

from __future__ import annotations

import random
import typing as t

import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_spotify.errors import (
    Failure,
    RateLimited,
    RequestFailed,
    TokenRejected,
    network_failure,
)

if t.TYPE_CHECKING:
    from tap_spotify.session import RateGate

#: Tries of one request before giving up on 5xx, resets, timeouts and broken bodies.
MAX_TRIES = 6
#: Tries when the server refuses the connection.
REFUSED_TRIES = 3
#: Waits on 429 before giving up: each is as long as Spotify asks.
MAX_RATE_LIMIT_WAITS = 30
#: Full-jitter exponential backoff for transient failures: base and cap, seconds.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
#: Enough tries for `waits` to decide by itself.
BACKOFF_MAX_TRIES = MAX_TRIES + MAX_RATE_LIMIT_WAITS + 2
#: Failures a try is never repeated for.
PERMANENT = (Failure.UNKNOWN_HOST, Failure.TLS, Failure.TOO_LARGE)

#: What may be worth another try (`waits` has the last word).
TRANSIENT = (
    RetriableAPIError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ConnectionResetError,
)


def describe(exc: BaseException) -> str:
    """A failure in words, for log lines and the final error."""
    return str(exc) if isinstance(exc, RetriableAPIError) else str(network_failure(exc))


def waits(gate: RateGate) -> t.Generator[float, t.Any, None]:
    """The policy, as the `backoff` library drives it (see the module docstring)."""
    failures = rate_limits = 0
    renewed_token = False
    exc = yield 0.0
    while True:
        if isinstance(exc, TokenRejected):  # the token was dropped: one more try at once
            if renewed_token:
                raise RequestFailed(f"{exc}, even with a new access token; check that the "
                                    "app may use this endpoint.")
            renewed_token = True
            wait = 0.0
        elif isinstance(exc, RateLimited):
            rate_limits += 1
            if rate_limits > MAX_RATE_LIMIT_WAITS:
                raise RequestFailed(f"{exc}: still rate limited after {rate_limits} waits; "
                                    "Spotify's quota for this app is spent, try again later.")
            wait = exc.retry_after if exc.retry_after is not None else max(
                1.0, random.uniform(0, min(BACKOFF_CAP, 2.0**rate_limits)))
            gate.pause(wait)
        else:
            failures += 1
            kind = None if isinstance(exc, RetriableAPIError) else network_failure(exc).kind
            tries = REFUSED_TRIES if kind is Failure.REFUSED else MAX_TRIES
            if kind in PERMANENT or failures >= tries:
                tried = f" (tried {failures} times)" if failures > 1 else ""
                raise RequestFailed(f"{describe(exc)}{tried}.")
            wait = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**failures))
        exc = yield wait
