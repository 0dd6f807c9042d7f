"""Spotify's OAuth tokens, and the one retry policy every request follows.

Client credentials (the catalog) or a refresh token (the user's data): one token per
lifetime, shared by every stream and worker, renewed shortly before it expires or
after a 401. The token goes only to the configured API host.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import typing as t
from urllib.parse import urlparse

import backoff
import requests
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.exceptions import RetriableAPIError

from tap_spotify.errors import (
    CredentialsRejected,
    RateLimited,
    RequestFailed,
    TokenRejected,
    classify,
    describe_network_error,
    error_details,
    is_permanent_network_error,
)

#: Renew this long before expiry, so no request leaves with a token about to lapse...
RENEW_MARGIN_SECONDS = 60.0
#: ...but never more than this share of the lifetime (tokens in tests live seconds).
RENEW_MARGIN_SHARE = 0.05
#: Tries of one request before giving up on 5xx, resets, timeouts and broken bodies.
MAX_TRIES = 6
#: Waits on 429 before giving up: each is as long as Spotify asks.
MAX_RATE_LIMIT_WAITS = 30
#: Full-jitter exponential backoff for transient failures: base and cap, seconds.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0

#: Failures worth another try.
TRANSIENT = (
    RetriableAPIError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    ConnectionResetError,
)


def backoff_waits() -> t.Generator[float, t.Any, None]:
    """The one retry policy. The `backoff` library sends in each failure; this answers
    how long to wait before the next try, or raises `RequestFailed` to give up:

    - 429: exactly Retry-After (longer than `max_retry_wait` never gets here), or
      exponential backoff when Spotify gives none; at most MAX_RATE_LIMIT_WAITS waits.
    - 5xx, resets, timeouts, broken bodies: full-jitter exponential backoff, MAX_TRIES
      tries (3 for a refused connection: usually a wrong URL, not a flaky network).
    - 401: once more at once, with a new token (the stream dropped the old one).
    - an unknown host name or a bad certificate: no retry.
    """
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
        else:
            failures += 1
            reason = str(exc) if isinstance(exc, RetriableAPIError) \
                else describe_network_error(exc)
            tries = 3 if reason.endswith("refused the connection") else MAX_TRIES
            if is_permanent_network_error(exc) or failures >= tries:
                tried = f" (tried {failures} times)" if failures > 1 else ""
                raise RequestFailed(f"{reason}{tried}.")
            wait = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**failures))
        exc = yield wait


#: Enough tries for the policy above to decide by itself.
BACKOFF_MAX_TRIES = MAX_TRIES + MAX_RATE_LIMIT_WAITS + 2


def describe_failure(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, RetriableAPIError) else describe_network_error(exc)


class SpotifyAuthenticator(OAuthAuthenticator):
    """Spotify's token endpoint, for either grant.

    Thread-safe: workers share one token, and only one of them renews it.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        auth_endpoint: str,
        api_url: str,
        session: requests.Session,
        max_retry_wait: float,
        refresh_token: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret,
                         auth_endpoint=auth_endpoint)
        self.refresh_token = refresh_token
        self.api_host = urlparse(api_url).netloc
        self.session = session
        self.max_retry_wait = max_retry_wait
        if logger is not None:
            self.logger = logger
        self.renew_lock = threading.Lock()
        self.renew_at = 0.0
        self.scopes: frozenset[str] | None = None  # granted scopes, when Spotify says
        self.token_requests = 0

    def __repr__(self) -> str:  # never show a token or the secret
        return f"{type(self).__name__}(client_id={self.client_id!r})"

    @property
    def oauth_request_body(self) -> dict:
        if self.refresh_token:
            return {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
        return {"grant_type": "client_credentials"}

    def is_token_valid(self) -> bool:
        return self.access_token is not None and time.monotonic() < self.renew_at

    def authenticate_request(self, request: requests.PreparedRequest,
                             ) -> requests.PreparedRequest:
        """Add the token, renewing it first if due; only for the configured API host."""
        if urlparse(request.url or "").netloc != self.api_host:
            request.headers.pop("Authorization", None)
            return request
        request.headers["Authorization"] = f"Bearer {self.current_token()}"
        return request

    def current_token(self) -> str:
        with self.renew_lock:
            if not self.is_token_valid():
                self.update_access_token()
            return str(self.access_token)

    def invalidate(self, authorization: str | None) -> None:
        """Forget the token a 401 answered, unless another worker renewed it already."""
        with self.renew_lock:
            if authorization == f"Bearer {self.access_token}":
                self.access_token = None

    def update_access_token(self) -> None:
        """Ask for a token; 5xx, resets and 429 are retried like any request."""
        self.logger.info("Requesting a new access token")
        what = f"the token request to {urlparse(self.auth_endpoint).netloc}"
        request = backoff.on_exception(
            backoff_waits, TRANSIENT, max_tries=BACKOFF_MAX_TRIES, jitter=None,
            on_backoff=lambda d: self.logger.warning(
                "%s failed (%s); retry %d in %.1f s", what,
                describe_failure(d["exception"]),  # type: ignore[typeddict-item]
                d["tries"], d["wait"]),
        )(self.request_token)
        token = request()
        lifetime = float(token.get("expires_in") or 3600)
        margin = min(RENEW_MARGIN_SECONDS, lifetime * RENEW_MARGIN_SHARE)
        self.access_token = str(token["access_token"])
        self.expires_in = int(lifetime)
        self.renew_at = time.monotonic() + lifetime - margin
        if isinstance(token.get("scope"), str):
            self.scopes = frozenset(token["scope"].split())
        new_refresh = token.get("refresh_token")
        if new_refresh and self.refresh_token and new_refresh != self.refresh_token:
            self.refresh_token = str(new_refresh)
            self.logger.warning("Spotify returned a new refresh token: this run uses it; "
                                "run `tap-spotify login` to store a current one.")

    def request_token(self) -> dict:
        self.token_requests += 1
        response = self.session.post(
            self.auth_endpoint,
            data=self.oauth_request_body,
            auth=(self.client_id or "", self.client_secret or ""),
        )
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            raise self.rejected(response)
        classify(response, max_retry_wait=self.max_retry_wait)
        try:
            token = response.json()
        except ValueError:
            raise RetriableAPIError(f"the token endpoint answered {status} with a body that "
                                    "is not JSON") from None
        if not isinstance(token, dict) or not token.get("access_token"):
            raise RetriableAPIError(f"the token endpoint answered {status} without a token")
        return token

    def rejected(self, response: requests.Response) -> CredentialsRejected:
        description, error = error_details(response)
        if self.refresh_token and error == "invalid_grant":
            return CredentialsRejected(
                f"Spotify no longer accepts the stored refresh token ({description}): the "
                "authorization expired (it lasts 6 months) or was revoked. Run `tap-spotify "
                "login` again, then run the tap."
            )
        return CredentialsRejected(
            f"Spotify rejected the client credentials: {description} "
            f"({error or response.status_code}). Check client_id and client_secret "
            "(TAP_SPOTIFY_CLIENT_ID and TAP_SPOTIFY_CLIENT_SECRET) against your app in the "
            "Spotify developer dashboard."
        )
