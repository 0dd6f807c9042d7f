"""Spotify's OAuth tokens: client credentials (the catalog) or a listener's refresh
token (their own data). One token per lifetime, shared by every stream and worker,
renewed shortly before it expires or after a 401; sent only to the configured API
host, and every token it sees is handed to the run's `Redactor`.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from urllib.parse import urlparse

import backoff
import requests
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.exceptions import RetriableAPIError
from typing_extensions import override

from tap_spotify import retry, spotify
from tap_spotify.errors import (
    CredentialsRejected,
    MalformedAnswer,
    Redactor,
    classify,
    error_details,
)

if t.TYPE_CHECKING:
    from tap_spotify.session import SpotifySession


#: Renew this long before expiry, so no request leaves with a token about to lapse...
RENEW_MARGIN_SECONDS = 60.0
#: ...but never more than this share of the lifetime (tokens in tests live seconds).
RENEW_MARGIN_SHARE = 0.05
#: A token's lifetime when Spotify does not say (it says 3600).
DEFAULT_LIFETIME = 3600.0


class SpotifyAuthenticator(OAuthAuthenticator):
    """Spotify's token endpoint, for either grant. Thread-safe: workers share one
    token, and only one of them renews it."""

    def __init__(self, *, client_id: str, client_secret: str, auth_endpoint: str,
                 api_url: str, session: SpotifySession, max_retry_wait: float,
                 redact: Redactor, refresh_token: str | None = None,
                 login: str = "tap-spotify login",
                 logger: logging.Logger | None = None) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret,
                         auth_endpoint=auth_endpoint)
        self.refresh_token = refresh_token
        self.api_host = urlparse(api_url).netloc
        self.session = session
        self.max_retry_wait = max_retry_wait
        self.redact = redact
        self.login = login
        self.log = logger or logging.getLogger("tap-spotify")
        self.renew_lock = threading.Lock()
        self.renew_at = 0.0
        self.scopes: frozenset[str] | None = None  # granted scopes, when Spotify says

    def __repr__(self) -> str:  # never show a token or the secret
        return f"{type(self).__name__}(client_id={self.client_id!r})"

    @property
    @override
    def oauth_request_body(self) -> dict:
        if self.refresh_token:
            return {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
        return {"grant_type": "client_credentials"}

    @override
    def is_token_valid(self) -> bool:
        return self.access_token is not None and time.monotonic() < self.renew_at

    @override
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

    @override
    def update_access_token(self) -> None:
        """Ask for a token; 5xx, resets and 429 are retried like any request."""
        self.log.info("Requesting a new access token")
        what = f"the token request to {urlparse(self.auth_endpoint).netloc}"
        request = backoff.on_exception(
            lambda: retry.waits(self.session.gate), retry.TRANSIENT,
            max_tries=retry.BACKOFF_MAX_TRIES, jitter=None,
            on_backoff=lambda d: self.log.warning(
                "%s failed (%s); retry %d in %.1f s", what,
                retry.describe(d["exception"]),  # type: ignore[typeddict-item]
                d["tries"], d["wait"]),
        )(self.request_token)
        token = request()
        lifetime = float(token.get("expires_in") or DEFAULT_LIFETIME)
        margin = min(RENEW_MARGIN_SECONDS, lifetime * RENEW_MARGIN_SHARE)
        self.access_token = str(token["access_token"])
        self.redact.add(self.access_token)
        self.expires_in = int(lifetime)
        self.renew_at = time.monotonic() + lifetime - margin
        if isinstance(token.get("scope"), str):
            self.scopes = frozenset(token["scope"].split())
        new_refresh = token.get("refresh_token")
        if isinstance(new_refresh, str) and new_refresh not in (self.refresh_token, None) \
                and self.refresh_token:
            self.refresh_token = new_refresh
            self.redact.add(new_refresh)
            self.log.warning("Spotify returned a new refresh token: this run uses it; run "
                             "`%s` to store a current one.", self.login)

    def request_token(self) -> dict:
        response = self.session.post(self.auth_endpoint, data=self.oauth_request_body,
                                     auth=(self.client_id or "", self.client_secret or ""))
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            raise self.rejected(response)
        classify(response, max_retry_wait=self.max_retry_wait, redact=self.redact)
        try:
            token = response.json()
        except ValueError:
            raise RetriableAPIError(f"the token endpoint answered {status} with a body that "
                                    "is not JSON") from None
        if not isinstance(token, dict) or not token.get("access_token"):
            raise RetriableAPIError(f"the token endpoint answered {status} without a token")
        if not isinstance(token["access_token"], str):
            raise MalformedAnswer("the token endpoint answered with an access_token that is "
                                  "not text; check auth_url.")
        lifetime = token.get("expires_in")
        if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(
                lifetime, (int, float)) or lifetime <= 0):
            raise MalformedAnswer(f"the token endpoint answered with expires_in "
                                  f"{self.redact(repr(lifetime))}, not a number of seconds; "
                                  "check auth_url.")
        return token

    def rejected(self, response: requests.Response) -> CredentialsRejected:
        description, error = error_details(response, self.redact)
        if self.refresh_token and error == spotify.EXPIRED_GRANT:
            return CredentialsRejected(
                f"Spotify no longer accepts the stored refresh token ({description}): the "
                f"authorization expired (it lasts 6 months) or was revoked. Run `{self.login}` "
                "again, then run the tap."
            )
        return CredentialsRejected(
            f"Spotify rejected the client credentials: {description} "
            f"({error or response.status_code}). Check client_id and client_secret "
            "(TAP_SPOTIFY_CLIENT_ID and TAP_SPOTIFY_CLIENT_SECRET) against your app in the "
            "Spotify developer dashboard."
        )
