"""Spotify's error shapes, and the errors tap-spotify reports to its users.

The one module that reads Spotify's error bodies, Retry-After headers and network
failures; everything else works with the exception classes below. Text that came
from a server reaches a message only through a `Redactor`: one line of printable
characters, with every secret and token replaced by `***`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
import math
import re
import threading
import typing as t
from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

#: Longer waits are "until further notice": no date is worth printing for them.
TEN_YEARS = 10 * 365 * 86400
#: Server text longer than this is cut in messages.
MAX_SERVER_TEXT = 200


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


class MalformedAnswer(RequestFailed):
    """Spotify answered, but not in a shape its reference documents."""


class RunStopped(TapSpotifyError):
    """SIGTERM or SIGINT: stop after the last whole line."""

    def __init__(self, signal_name: str, signum: int) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.exit_code = 128 + signum


class OutputFailed(TapSpotifyError):
    """stdout cannot take more: the disk is full, stdout is closed..."""


class TargetStopped(OutputFailed):
    """The target closed its end of the pipe."""


# Classified API answers: raised from `validate_response` and caught inside the tap.


class RateLimited(RetriableAPIError):
    """429: wait `retry_after` seconds (None when Spotify did not say)."""

    def __init__(self, msg: str, retry_after: float | None) -> None:
        super().__init__(msg)
        self.retry_after = retry_after


class TokenRejected(RetriableAPIError):
    """401: the access token expired or was revoked; renew it and retry."""


class Forbidden(FatalAPIError):
    """403: the app's tier (or the token's scope) does not allow this endpoint."""


class NotFound(FatalAPIError):
    """404, or 400 for an id Spotify no longer accepts: the resource is gone."""


class Redactor:
    """Turns text from a server (or anything that may hold a secret) into one line
    safe to print: secrets and tokens become `***`, control characters (newlines,
    terminal escapes) become spaces, and long text is cut."""

    def __init__(self, secrets: t.Iterable[str] = ()) -> None:
        self.secrets: set[str] = {s for s in secrets if s}
        self.lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret:
            with self.lock:
                self.secrets.add(secret)

    def __call__(self, text: object) -> str:
        line = str(text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            line = line.replace(secret, "***")
        line = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", " ", line)  # terminal escapes
        line = " ".join("".join(c if c.isprintable() else " " for c in line).split())
        return line if len(line) <= MAX_SERVER_TEXT else line[:MAX_SERVER_TEXT] + "..."


def error_details(response: requests.Response, redact: Redactor) -> tuple[str, str | None]:
    """Spotify's message and reason from `{"error": {"status", "message", "reason"}}`
    (Web API) or `{"error", "error_description"}` (accounts service), made safe."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    message: t.Any = None
    reason: t.Any = None
    if isinstance(error, dict):
        message, reason = error.get("message"), error.get("reason")
    elif isinstance(error, str) and isinstance(body, dict):
        message, reason = body.get("error_description") or error, error
    message = redact(message) if message else (response.reason or f"HTTP {response.status_code}")
    return message, redact(reason) if isinstance(reason, str) and reason else None


def error_in_body(body: t.Any) -> int | None:
    """The status of an error object Spotify sent with a 200 (`{"error": {...}}` and
    nothing else), or None."""
    if not (isinstance(body, dict) and isinstance(body.get("error"), dict) and len(body) == 1):
        return None
    status = body["error"].get("status")
    return status if isinstance(status, int) and status >= 400 else 500


def retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds: a number (`inf` and `1e12` included) or an HTTP date;
    None when absent or unreadable."""
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


def classify(response: requests.Response, *, max_retry_wait: float, redact: Redactor,
             status: int | None = None) -> None:
    """Raise the exception that says what to do about an error status (`status`: the
    one inside a 200's error object)."""
    status = status or response.status_code
    if status < 300:
        return
    if status < 400:
        target = urlparse(response.headers.get("Location") or "").netloc or "elsewhere"
        raise RequestFailed(f"{where(response)} answered {status}, a redirect to "
                            f"{redact(target)}: tap-spotify does not follow redirects (your "
                            "credentials would go with them); check api_url and auth_url.")
    message, reason = error_details(response, redact)
    text = f"{where(response)} answered {status}: {message}"
    if status == 429:
        wait = retry_after(response)
        if wait is not None and wait > max_retry_wait:
            raise retry_wait_too_long(where(response), wait, reason, max_retry_wait)
        raise RateLimited(text, wait)
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


class RequestDeadline(requests.exceptions.ReadTimeout):
    """The whole request (connect, headers, body) took longer than its deadline."""


class BodyTooLarge(requests.exceptions.ContentDecodingError):
    """An answer larger than any Spotify sends (or one that inflates past it)."""


class Failure(enum.Enum):
    """What kind of network failure a request met: the retry policy decides on it."""

    UNKNOWN_HOST = "could not resolve the host name {host}"
    REFUSED = "{host} refused the connection"
    TLS = "the TLS handshake with {host} failed (certificate or protocol)"
    TIMEOUT = "{host} timed out"
    CUT = "{host} closed the connection mid-answer"
    TOO_LARGE = "{host} sent an answer larger than any Spotify sends"
    OTHER = "{error} talking to {host}"


@dataclass(frozen=True)
class NetworkFailure:
    kind: Failure
    host: str
    text: str

    def __str__(self) -> str:
        return self.text


def network_failure(exc: BaseException) -> NetworkFailure:
    """What failed, as a kind and in words. Never the URL's query or any header."""
    chain = list(_chain(exc))
    host = _host_in(exc)
    kind = Failure.OTHER
    if any(isinstance(e, (RequestDeadline, BodyTooLarge)) for e in chain):
        return NetworkFailure(Failure.TIMEOUT if isinstance(exc, RequestDeadline)
                              else Failure.TOO_LARGE, host, str(exc))
    text = " ".join(str(e) for e in chain)
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "Temporary failure in name resolution" in text or "nodename nor servname" in text:
        kind = Failure.UNKNOWN_HOST
    elif any(isinstance(e, ConnectionRefusedError) for e in chain) or "Connection refused" in text:
        kind = Failure.REFUSED
    elif isinstance(exc, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY_FAILED" in text:
        kind = Failure.TLS
    elif isinstance(exc, requests.exceptions.Timeout):
        kind = Failure.TIMEOUT
    elif isinstance(exc, (requests.exceptions.ChunkedEncodingError, ConnectionError)) \
            or "Connection reset" in text or "IncompleteRead" in text:
        kind = Failure.CUT
    return NetworkFailure(kind, host, kind.value.format(host=host, error=type(exc).__name__))


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
        return urlparse(url).netloc or "the server"
    return "the server"
