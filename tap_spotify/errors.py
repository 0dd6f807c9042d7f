"""Spotify's error shapes, and the errors tap-spotify reports to its users.

This is the one module that reads Spotify's error bodies and headers. Everything
else works with the exception classes below.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from urllib.parse import urlparse

from singer_sdk.exceptions import FatalAPIError, RetriableAPIError


class HttpAnswer(t.Protocol):
    """What this module reads of an answer: a `requests.Response` (token endpoint) or a
    `transport.ApiAnswer` (Web API)."""

    @property
    def status_code(self) -> int: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def headers(self) -> t.Mapping[str, str]: ...
    @property
    def url(self) -> str: ...
    def json(self) -> t.Any: ...


class TapSpotifyError(Exception):
    """An error the user can act on. The CLI prints its message as one line, no traceback."""


class ConfigError(TapSpotifyError):
    """A setting is missing or invalid."""


class CredentialsRejected(TapSpotifyError):
    """Spotify's token endpoint refused the client credentials."""


class RetryWaitTooLong(TapSpotifyError):
    """Spotify asked for a longer pause than `max_retry_wait` allows."""


class RequestFailed(TapSpotifyError):
    """A request still failed after the retry policy gave up."""


class RunCancelled(TapSpotifyError):
    """Another worker failed; this one stops instead of retrying."""


# Classified API answers, raised from `validate_response` and handled by the retry policy.


class TransientError(RetriableAPIError):
    """5xx, or a body that is not the JSON Spotify promised: worth another try."""


class RateLimited(RetriableAPIError):
    """429: wait `retry_after` seconds (None when Spotify did not say)."""

    def __init__(self, msg: str, retry_after: float | None, reason: str | None) -> None:
        super().__init__(msg)
        self.retry_after = retry_after
        self.reason = reason


class TokenRejected(RetriableAPIError):
    """401: the access token expired or was revoked; renew it once and retry."""


class Forbidden(FatalAPIError):
    """403: the app's tier does not allow this endpoint."""


class NotFound(FatalAPIError):
    """404, or 400 for an id Spotify no longer accepts: the resource is gone."""


def error_details(response: HttpAnswer) -> tuple[str, str | None]:
    """Spotify's message and reason from `{"error": {"status", "message", "reason"}}`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or response.reason), error.get("reason")
    if isinstance(error, str):  # the accounts service: {"error": ..., "error_description": ...}
        return str(body.get("error_description") or error), error  # type: ignore[union-attr]
    return response.reason or f"HTTP {response.status_code}", None


def retry_after_seconds(response: HttpAnswer) -> float | None:
    """The Retry-After header in seconds (any header case; requests folds it), or None."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def classify(response: HttpAnswer) -> None:
    """Raise the exception that says what to do about an error status of a Web API GET."""
    status = response.status_code
    if status < 400:
        return
    where = f"GET {urlparse(response.url).path}"  # never the query or headers
    message, reason = error_details(response)
    text = f"{where} answered {status}: {message}"
    if status == 429:
        raise RateLimited(text, retry_after_seconds(response), reason)
    if status == 401:
        raise TokenRejected(text)
    if status >= 500:
        raise TransientError(text)
    if status == 403:
        raise Forbidden(text)
    if status == 404 or (status == 400 and re.search(r"\bid\b", message.lower())):
        raise NotFound(text)
    raise FatalAPIError(text)


def retry_wait_too_long(where: str, wait: float, reason: str | None,
                        limit: float) -> RetryWaitTooLong:
    """The one-line message for a 429 that asks for more than `max_retry_wait`."""
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=wait)
    because = f" (reason: {reason})" if reason else ""
    return RetryWaitTooLong(
        f"Spotify rate limit: {where} asks to wait {wait:.0f} s, until "
        f"{until:%Y-%m-%d %H:%M:%S} UTC{because}, which is more than max_retry_wait="
        f"{limit:.0f} s. Stopping now; everything emitted so far, state included, is valid. "
        "Run again after that time."
    )
