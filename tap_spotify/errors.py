"""Spotify's error shapes, and the errors tap-spotify reports to its users.

The one module that reads Spotify's error bodies, Retry-After headers and network
failures; everything else works with the exception classes below.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import typing as t
from urllib.parse import urlparse

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

#: Longer waits are "until further notice": no date is worth printing for them.
TEN_YEARS = 10 * 365 * 86400


class TapSpotifyError(BaseException):
    """An error the user can act on. The CLI prints it as one line, with no traceback.

    A BaseException, like SystemExit: it ends the run, and no generic `except
    Exception` on the way (the SDK's stream sync has one) adds lines of its own.
    """

    exit_code = 1


class ConfigError(TapSpotifyError):
    """A setting, the config file or the state file cannot work."""


class CredentialsRejected(TapSpotifyError):
    """Spotify's token endpoint refused the credentials."""


class RetryWaitTooLong(TapSpotifyError):
    """Spotify asked for a longer pause than `max_retry_wait` allows."""


class RequestFailed(TapSpotifyError):
    """A request failed for good: retries ran out, or Spotify said no."""


class RunStopped(TapSpotifyError):
    """SIGTERM or SIGINT: stop after the last whole line."""

    def __init__(self, signal_name: str, signum: int) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.exit_code = 128 + signum


class TargetStopped(TapSpotifyError):
    """The target closed its end of the pipe."""


# Classified API answers: raised from `validate_response` and caught inside the tap.


class RateLimited(RetriableAPIError):
    """429: wait `retry_after` seconds (None when Spotify did not say)."""

    def __init__(self, msg: str, retry_after: float | None, reason: str | None) -> None:
        super().__init__(msg)
        self.retry_after = retry_after
        self.reason = reason


class TokenRejected(RetriableAPIError):
    """401: the access token expired or was revoked; renew it and retry."""


class Forbidden(FatalAPIError):
    """403: the app's tier (or the token's scope) does not allow this endpoint."""


class NotFound(FatalAPIError):
    """404, or 400 for an id Spotify no longer accepts: the resource is gone."""


def error_details(response: requests.Response) -> tuple[str, str | None]:
    """Spotify's message and reason from `{"error": {"status", "message", "reason"}}`
    (Web API) or `{"error", "error_description"}` (accounts service)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or response.reason), error.get("reason")
    if isinstance(error, str) and isinstance(body, dict):
        return str(body.get("error_description") or error), error
    return response.reason or f"HTTP {response.status_code}", None


def retry_after_seconds(response: requests.Response) -> float | None:
    """Retry-After in seconds: a number (`inf` and `1e12` included) or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return None if math.isnan(seconds) else max(0.0, seconds)


def where(response: requests.Response) -> str:
    """`GET /v1/path`: never the query, which may hold ids a user considers private."""
    method = response.request.method if response.request is not None else "GET"
    return f"{method} {urlparse(response.url).path}"


def classify(response: requests.Response, *, max_retry_wait: float) -> None:
    """Raise the exception that says what to do about an error status."""
    status = response.status_code
    if status < 400:
        return
    message, reason = error_details(response)
    text = f"{where(response)} answered {status}: {message}"
    if status == 429:
        wait = retry_after_seconds(response)
        if wait is not None and wait > max_retry_wait:
            raise retry_wait_too_long(where(response), wait, reason, max_retry_wait)
        raise RateLimited(text, wait, reason)
    if status == 401:
        raise TokenRejected(text)
    if status >= 500:
        raise RetriableAPIError(text)
    if status == 403:
        raise Forbidden(text)
    if status == 404 or (status == 400 and "id" in message.lower().split()):
        raise NotFound(text)
    raise RequestFailed(f"{text}. This is not an error tap-spotify expects; check api_url "
                        "and the settings, and report it if they are right.")


def retry_wait_too_long(what: str, wait: float, reason: str | None,
                        limit: float) -> RetryWaitTooLong:
    """The one line for a 429 that asks for more than `max_retry_wait`."""
    because = f" (reason: {reason})" if reason else ""
    if wait > TEN_YEARS:
        how_long = "asks to wait with no useful end"
        after = "Run again later."
    else:
        until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=wait)
        how_long = f"asks to wait {wait:.0f} s, until {until:%Y-%m-%d %H:%M:%S} UTC,"
        after = "Run again after that time."
    return RetryWaitTooLong(
        f"Spotify rate limit: {what} {how_long}{because} which is more than "
        f"max_retry_wait={limit:.0f} s. Stopping now; everything emitted so far, state "
        f"included, is valid. {after}"
    )


def describe_network_error(exc: BaseException) -> str:
    """What failed, in words: name resolution, a refused connection, TLS, a timeout.

    Never the URL's query or any header: only the host.
    """
    text = " ".join(str(e) for e in _chain(exc))
    host = _host_in(exc)
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "Temporary failure in name resolution" in text or "nodename nor servname" in text:
        return f"could not resolve the host name {host}"
    if any(isinstance(e, ConnectionRefusedError) for e in _chain(exc)) \
            or "Connection refused" in text:
        return f"{host} refused the connection"
    if isinstance(exc, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return f"the TLS handshake with {host} failed (certificate or protocol)"
    if isinstance(exc, requests.exceptions.Timeout):
        return str(exc) if isinstance(exc, RequestDeadline) else f"{host} timed out"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, ConnectionResetError)) \
            or "Connection reset" in text or "IncompleteRead" in text:
        return f"{host} closed the connection mid-answer"
    return f"{type(exc).__name__} talking to {host}"


def is_permanent_network_error(exc: BaseException) -> bool:
    """Failures another try will not mend: an unknown host name, a bad certificate."""
    description = describe_network_error(exc)
    return description.startswith(("could not resolve", "the TLS handshake"))


class RequestDeadline(requests.exceptions.ReadTimeout):
    """The whole request (connect, headers, body) took longer than its deadline."""


def _chain(exc: BaseException) -> t.Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(a for a in current.args if isinstance(a, BaseException))
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                todo.append(linked)


def _host_in(exc: BaseException) -> str:
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url:
        parsed = urlparse(url)
        return parsed.netloc or "the server"
    return "the server"
