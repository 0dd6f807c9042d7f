"""The one retry policy for every request tap-spotify sends.

The SDK's default backoff ignores Retry-After and cannot pause other threads, so
`SpotifyStream.request_decorator` hands requests to `RetryPolicy.call` instead:

- 429: wait exactly what Retry-After says, and make every worker wait with it (one
  rate limit covers the whole app); with no Retry-After, exponential backoff with
  jitter. A wait longer than `max_retry_wait` stops the run at once.
- 5xx, resets, timeouts, broken bodies: exponential backoff with full jitter,
  bounded in tries (and so in total time).
- 401: the authenticator already dropped the token; retry once with a new one.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import typing as t

import requests

from tap_spotify.errors import (
    RateLimited,
    RequestFailed,
    RunCancelled,
    TokenRejected,
    TransientError,
    retry_wait_too_long,
)
from tap_spotify.transport import TRANSIENT_TRANSPORT_ERRORS

T = t.TypeVar("T")

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    TransientError,
    *TRANSIENT_TRANSPORT_ERRORS,  # the Web API's GETs
    requests.exceptions.ConnectionError,  # the token request
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ConnectionResetError,
)


class RateGate:
    """Holds every worker while Spotify has asked the app to back off.

    Also the run's stop switch: once `stop()` is called, waiting workers give up at
    once instead of sleeping through their backoff.
    """

    def __init__(self) -> None:
        self._resume_at = 0.0
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def pause_for(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and self._stopped.wait(seconds):
            raise RunCancelled("stopped: another request of this run failed")

    def wait(self) -> None:
        """Return when no pause is in force (at once, usually)."""
        while (delay := self._resume_at - time.monotonic()) > 0:
            self.sleep(delay)
        if self._stopped.is_set():
            raise RunCancelled("stopped: another request of this run failed")

    def stop(self) -> None:
        self._stopped.set()


class RetryPolicy:
    """Runs a request function until it succeeds or the policy gives up."""

    def __init__(
        self,
        *,
        gate: RateGate,
        max_retry_wait: float,
        logger: logging.Logger,
        max_tries: int = 6,
        max_rate_limit_waits: int = 30,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        self.gate = gate
        self.max_retry_wait = max_retry_wait
        self.logger = logger
        self.max_tries = max_tries
        self.max_rate_limit_waits = max_rate_limit_waits
        self.base_delay = base_delay
        self.max_delay = max_delay

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))

    def call(self, func: t.Callable[[], T], what: str) -> T:
        failures = rate_limits = 0
        renewed_token = False
        while True:
            self.gate.wait()
            try:
                return func()
            except RateLimited as exc:
                rate_limits += 1
                wait = exc.retry_after
                if wait is None:
                    wait = max(1.0, self.backoff(rate_limits))
                if wait > self.max_retry_wait:
                    self.gate.stop()
                    raise retry_wait_too_long(what, wait, exc.reason, self.max_retry_wait) from None
                if rate_limits > self.max_rate_limit_waits:
                    raise RequestFailed(
                        f"{what} was still rate limited after {rate_limits} waits; "
                        "Spotify's quota for this app is exhausted, try again later."
                    ) from None
                self.logger.warning("Spotify rate limit on %s: all requests wait %.1f s", what,
                                    wait)
                self.gate.pause_for(wait)
            except TokenRejected as exc:
                if renewed_token:
                    raise RequestFailed(
                        f"{exc} even with a new access token; check that the app is "
                        "allowed to use this endpoint."
                    ) from None
                renewed_token = True
                self.logger.info("Access token rejected on %s; renewing it and retrying", what)
            except TRANSIENT_ERRORS as exc:
                failures += 1
                if failures >= self.max_tries:
                    raise RequestFailed(
                        f"{what} failed {failures} times in a row, giving up: {_summary(exc)}"
                    ) from None
                delay = self.backoff(failures)
                self.logger.warning("%s failed (%s); retry %d of %d in %.1f s", what,
                                    _summary(exc), failures, self.max_tries - 1, delay)
                self.gate.sleep(delay)


def _summary(exc: Exception) -> str:
    """A short, secret-free description: our own messages, or the exception's class."""
    if isinstance(exc, TransientError):
        return str(exc)
    return type(exc).__name__
