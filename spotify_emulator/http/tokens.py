"""Access tokens with a server-side expiry, and whom each one speaks for.

Client-credentials tokens speak for the app alone; tokens from the Authorization
Code flow (user/oauth.py) carry a user and the scopes that user granted.
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
from collections.abc import Callable

from ..catalog.model import new_id

NO_TOKEN = "No token provided"
INVALID_TOKEN = "Invalid access token"
EXPIRED_TOKEN = "The access token expired"


@dataclasses.dataclass(frozen=True, slots=True)
class TokenGrant:
    """Whom a token speaks for: ``user_id`` None is the app alone (client credentials)."""

    user_id: str | None = None
    scopes: frozenset[str] = frozenset()


APP_ONLY = TokenGrant()


class TokenStore:
    """Issues tokens and judges them; tokens come from a seeded RNG (reproducible)."""

    def __init__(self, ttl: float, seed: int, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._rng = random.Random(f"spotify-emulator/tokens/{seed}")
        self._expiry: dict[str, float] = {}
        self._grants: dict[str, TokenGrant] = {}
        self._lock = threading.Lock()

    @property
    def expires_in(self) -> int:
        """The whole seconds announced to the client (the TTL rounded up)."""
        return max(1, math.ceil(self.ttl))

    def issue(self, grant: TokenGrant = APP_ONLY) -> str:
        """A new token valid for ``ttl`` seconds from now."""
        with self._lock:
            token = "BQ" + new_id(self._rng, 110)
            self._expiry[token] = self._clock() + self.ttl
            if grant is not APP_ONLY:
                self._grants[token] = grant
        return token

    def grant(self, token: str) -> TokenGrant:
        """Whom an issued token speaks for (the app alone unless a user granted it)."""
        return self._grants.get(token, APP_ONLY)

    def problem(self, token: str) -> str | None:
        """None for a valid token, else Spotify's 401 message."""
        expiry = self._expiry.get(token)
        if expiry is None:
            return INVALID_TOKEN
        if self._clock() >= expiry:
            return EXPIRED_TOKEN
        return None

    def issued(self) -> list[str]:
        """Every token issued so far (e.g. to check none leaks into a tap's output)."""
        with self._lock:
            return list(self._expiry)

    def expire_all(self) -> None:
        """Make every issued token expired now (forces a client to refresh)."""
        with self._lock:
            now = self._clock()
            for token in self._expiry:
                self._expiry[token] = now

    @staticmethod
    def throwaway() -> str:
        """A token-shaped string for a faulted token response: never valid."""
        return "BQ" + "0" * 110
