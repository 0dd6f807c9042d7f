"""Authorization Code flow state and rules: redirect URIs, PKCE, codes, refresh tokens.

No HTTP here: ``authorize.py`` serves ``/authorize`` and the token endpoint's
``authorization_code`` and ``refresh_token`` grants from it. Spotify's facts come from
``tap_spotify/spotify.py``: which redirect URIs it accepts, and that an authorization
ends six months after the user's consent (refreshing does not extend it).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import random
import threading
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from tap_spotify.spotify import READ_SCOPES, authorization_ends, redirect_uri_problem

from ..catalog.model import new_id

#: Every scope Spotify knows (the read scopes, and those a reader never needs); others
#: make /authorize redirect with invalid_scope.
SCOPES = frozenset(
    {
        *READ_SCOPES,
        "app-remote-control",
        "playlist-modify-private",
        "playlist-modify-public",
        "streaming",
        "ugc-image-upload",
        "user-follow-modify",
        "user-library-modify",
        "user-modify-playback-state",
        "user-personalized",
        "user-read-currently-playing",
        "user-read-playback-position",
        "user-read-playback-state",
    }
)
CODE_TTL = 600.0  # seconds an authorization code can be redeemed
DAY = 86400.0
#: The loopback literals Spotify's "Redirect URIs" page names; other 127.x addresses are
#: loopback too, but Spotify does not promise to accept them, so the emulator refuses.
LOOPBACK_HOSTS = ("127.0.0.1", "::1")

INVALID_CLIENT = "INVALID_CLIENT: Invalid client"
INVALID_REDIRECT = "INVALID_CLIENT: Invalid redirect URI"
INSECURE_REDIRECT = "INVALID_CLIENT: Insecure redirect URI"


def redirect_problem(uri: str, registered: Collection[str] | None = None) -> str | None:
    """None when Spotify would send the browser to ``uri``, else its error page's text.

    https anywhere, or http to a loopback IP literal on any port; ``localhost`` and
    every other http host (or scheme) are insecure.  With ``registered``, the URI
    must also be one of them exactly.
    """
    if not uri:
        return INVALID_REDIRECT
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return INVALID_REDIRECT
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and not host:
        return INVALID_REDIRECT
    if redirect_uri_problem(uri) is not None or (scheme == "http" and host not in LOOPBACK_HOSTS):
        return INSECURE_REDIRECT
    if registered is not None and uri not in registered:
        return INVALID_REDIRECT
    return None


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: base64url(sha256), no padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclasses.dataclass(slots=True)
class AuthCode:
    """What the browser carried back: single use, bound to all it was asked with."""

    code: str
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    challenge: str | None
    user_id: str
    expires: float  # on the monotonic clock
    used: bool = False


@dataclasses.dataclass(slots=True)
class RefreshGrant:
    """A refresh token: whose, which scopes, and since when the user consented."""

    token: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    consented_at: float  # unix seconds
    #: Issued to a PKCE exchange without the client secret: may refresh by client_id.
    public_client: bool
    revoked: bool = False

    @property
    def expires_at(self) -> float:
        """Six months after the consent, to the second (unix seconds)."""
        consented = datetime.datetime.fromtimestamp(self.consented_at, datetime.timezone.utc)
        ends = authorization_ends(consented.date())
        return datetime.datetime.combine(ends, consented.timetz()).timestamp()


class GrantStore:
    """Codes and refresh tokens of every user; tokens from a seeded RNG (reproducible)."""

    def __init__(
        self,
        seed: int,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = random.Random(f"spotify-emulator/grants/{seed}")
        self._codes: dict[str, AuthCode] = {}
        self._refresh: dict[str, RefreshGrant] = {}
        #: Latest consent per user (unix seconds), as age_consent moves it.
        self._consent: dict[str, float] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- codes
    def new_code(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        scopes: frozenset[str],
        challenge: str | None,
        user_id: str,
    ) -> str:
        with self._lock:
            code = "AQ" + new_id(self._rng, 160)
            self._codes[code] = AuthCode(
                code, client_id, redirect_uri, scopes, challenge, user_id, self._clock() + CODE_TTL
            )
        return code

    def find_code(self, code: str, client_id: str) -> AuthCode | None:
        """The code if this client may still redeem it (unused, unexpired), else None."""
        found = self._codes.get(code)
        if found is None or found.used or found.client_id != client_id:
            return None
        if self._clock() >= found.expires:
            return None
        return found

    def redeem(self, code: AuthCode, *, public_client: bool) -> RefreshGrant | None:
        """Use the code up and record the user's consent; None if it was used meanwhile."""
        with self._lock:
            if code.used:
                return None
            code.used = True
            now = self._wall_clock()
            self._consent[code.user_id] = now
            grant = RefreshGrant(
                token="AQ" + new_id(self._rng, 129),
                client_id=code.client_id,
                user_id=code.user_id,
                scopes=code.scopes,
                consented_at=now,
                public_client=public_client,
            )
            self._refresh[grant.token] = grant
        return grant

    # -------------------------------------------------------- refresh tokens
    def find_refresh(self, token: str) -> RefreshGrant | None:
        return self._refresh.get(token)

    def refresh_problem(self, grant: RefreshGrant) -> str | None:
        """None for a usable refresh token, else the ``invalid_grant`` description."""
        if grant.revoked:
            return "Refresh token revoked"
        if self._wall_clock() >= grant.expires_at:
            return "Refresh token expired"
        return None

    def rotate(self, grant: RefreshGrant) -> RefreshGrant:
        """A new refresh token with the same consent; the old one keeps working."""
        with self._lock:
            new = dataclasses.replace(grant, token="AQ" + new_id(self._rng, 129))
            self._refresh[new.token] = new
        return new

    def revoke(self, user_id: str) -> int:
        """Revoke every refresh token of the user (they removed the app's access)."""
        with self._lock:
            mine = [g for g in self._refresh.values() if g.user_id == user_id and not g.revoked]
            for grant in mine:
                grant.revoked = True
        return len(mine)

    def age_consent(self, user_id: str, days: float) -> None:
        """Move the user's consent ``days`` back, as if they agreed that much earlier."""
        with self._lock:
            for grant in self._refresh.values():
                if grant.user_id == user_id:
                    grant.consented_at -= days * DAY
            if user_id in self._consent:
                self._consent[user_id] -= days * DAY

    def consent_date(self, user_id: str) -> float | None:
        """When the user last agreed (unix seconds), None before any code was redeemed."""
        return self._consent.get(user_id)

    def refresh_tokens(self, user_id: str) -> list[RefreshGrant]:
        with self._lock:
            return [g for g in self._refresh.values() if g.user_id == user_id]
