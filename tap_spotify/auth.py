"""Client-credentials authentication: one token for its lifetime, shared by all workers."""

from __future__ import annotations

import threading
import time

import requests
from singer_sdk.authenticators import OAuthAuthenticator

from tap_spotify.errors import (
    CredentialsRejected,
    RateLimited,
    TransientError,
    error_details,
    retry_after_seconds,
)
from tap_spotify.retries import RetryPolicy

#: Renew this long before expiry, so no request leaves with a token about to lapse.
RENEW_MARGIN_SECONDS = 60.0
#: ...but never more than this share of the lifetime (tokens in tests live seconds).
RENEW_MARGIN_SHARE = 0.05


class SpotifyAuthenticator(OAuthAuthenticator):
    """Spotify's client-credentials flow (no refresh token: a new token is a new request).

    Thread-safe: workers share one token, and only one of them renews it.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        auth_endpoint: str,
        session: requests.Session,
        policy: RetryPolicy,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret,
                         auth_endpoint=auth_endpoint)
        self._session = session
        self._policy = policy
        self._timeout = timeout
        self._lock = threading.Lock()
        self._renew_at = 0.0

    def __repr__(self) -> str:  # never show the token or the secret
        return f"SpotifyAuthenticator(client_id={self.client_id!r})"

    @property
    def oauth_request_body(self) -> dict:
        return {"grant_type": "client_credentials"}

    def is_token_valid(self) -> bool:
        return self.access_token is not None and time.monotonic() < self._renew_at

    def authorization(self) -> str:
        """The `Authorization` header for a request, renewing the token first if due."""
        with self._lock:
            if not self.is_token_valid():
                self.update_access_token()
            return f"Bearer {self.access_token}"

    def authenticate_request(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.authorization()
        return request

    def invalidate(self, authorization: str | None) -> None:
        """Forget the token a 401 named, unless another worker already renewed it."""
        with self._lock:
            if authorization == f"Bearer {self.access_token}":
                self.access_token = None

    def update_access_token(self) -> None:
        """Request a token, retrying 5xx and connection errors like any other request."""
        self.logger.info("Requesting a new access token")
        token = self._policy.call(self._request_token, f"POST {self.auth_endpoint}")
        lifetime = float(token.get("expires_in") or 3600)
        margin = min(RENEW_MARGIN_SECONDS, lifetime * RENEW_MARGIN_SHARE)
        self.access_token = token["access_token"]
        self.expires_in = int(lifetime)
        self._renew_at = time.monotonic() + lifetime - margin

    def _request_token(self) -> dict:
        response = self._session.post(
            self.auth_endpoint,
            data=self.oauth_request_body,
            auth=(self.client_id or "", self.client_secret or ""),
            timeout=self._timeout,
        )
        where = f"POST {self.auth_endpoint}"
        status = response.status_code
        if status == 429:
            message, reason = error_details(response)
            raise RateLimited(f"{where} answered 429: {message}",
                              retry_after_seconds(response), reason)
        if status >= 500:
            raise TransientError(f"{where} answered {status}")
        if status >= 400:
            description, error = error_details(response)
            raise CredentialsRejected(
                f"Spotify rejected the client credentials: {description} ({error or status}). "
                "Check client_id and client_secret (TAP_SPOTIFY_CLIENT_ID and "
                "TAP_SPOTIFY_CLIENT_SECRET) against your app in the Spotify developer dashboard."
            )
        try:
            token = response.json()
        except ValueError:
            raise TransientError(f"{where} answered {status} with a body that is not JSON"
                                 ) from None
        if not isinstance(token, dict) or not token.get("access_token"):
            raise TransientError(f"{where} answered {status} without an access token")
        return token
