"""The browser's and the token endpoint's side of the Authorization Code flow.

``GET /authorize`` answers at once, as a browser does after the signed-in listener
(``backend.users.sign_in``) agreed (or, with ``backend.users.consent = "deny"``,
refused): a 302 to the redirect URI with ``code`` and ``state``, or ``error`` and
``state``.  Where Spotify shows a page
instead of redirecting (unknown client, missing, unregistered or insecure redirect
URI, a response_type other than code) it is a 400 HTML page with Spotify's text.
The token endpoint's ``authorization_code`` and ``refresh_token`` grants are here
too; http/token.py reads the client and dispatches to them.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import html
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..backend import SpotifyBackend
from ..http.messages import HTML, Request, Response, dumpb, oauth_error
from ..http.tokens import TokenGrant, TokenStore
from .oauth import INVALID_CLIENT, SCOPES, redirect_problem, s256

USER_GRANTS = ("authorization_code", "refresh_token")


@dataclasses.dataclass(frozen=True)
class ClientAuth:
    """Who asks at the token endpoint; ``secret`` None when none was sent (PKCE)."""

    client_id: str
    secret: str | None


def read_client(req: Request, form: Mapping[str, str]) -> ClientAuth | Response:
    """The client from a Basic header (which wins) or from the form's fields."""
    header = req.headers.get("authorization")
    if not header:
        return ClientAuth(form.get("client_id", ""), form.get("client_secret"))
    scheme, _, encoded = header.strip().partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError(scheme)
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return oauth_error("invalid_client")
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return oauth_error("invalid_client")
    return ClientAuth(client_id, secret)


# ------------------------------------------------------------------ /authorize
def error_page(text: str) -> Response:
    """Spotify's accounts error page: HTML, no redirect."""
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Error - Spotify</title>'
        "</head><body><h1>Oops! Something went wrong, please try again or check out our "
        f"help area</h1><p>{html.escape(text)}</p></body></html>"
    )
    return Response(400, body.encode("utf-8"), content_type=HTML)


def redirect(uri: str, params: Mapping[str, str | None]) -> Response:
    """302 to ``uri`` with ``params`` added to its query (None values left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    sep = "&" if urlsplit(uri).query else "?"
    return Response(302, b"", content_type=None, headers=[("Location", f"{uri}{sep}{query}")])


def authorize(backend: SpotifyBackend, req: Request) -> Response:
    """GET /authorize: checks as Spotify does, then agrees (or refuses) at once."""
    q = dict(parse_qsl(req.query, keep_blank_values=True))
    options = backend.options
    client_id = q.get("client_id", "")
    if client_id != options.client_id:
        return error_page(INVALID_CLIENT)
    redirect_uri = q.get("redirect_uri", "")
    problem = redirect_problem(redirect_uri, options.redirect_uris)
    if problem is not None:
        return error_page(problem)
    if q.get("response_type") != "code":
        return error_page("INVALID_REQUEST: Unsupported response_type, only code is allowed")
    state = q.get("state")
    scopes = q.get("scope", "").split()
    if any(s not in SCOPES for s in scopes):
        return redirect(redirect_uri, {"error": "invalid_scope", "state": state})
    challenge = q.get("code_challenge")
    method = q.get("code_challenge_method")
    if (challenge or method) and (method != "S256" or not challenge):
        return redirect(
            redirect_uri,
            {
                "error": "invalid_request",
                "error_description": "code_challenge_method must be S256 with a code_challenge",
                "state": state,
            },
        )
    users = backend.users
    if users.consent == "deny":
        return redirect(redirect_uri, {"error": "access_denied", "state": state})
    code = users.grants.new_code(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=frozenset(scopes),
        challenge=challenge,
        user_id=users.signed_in,
    )
    return redirect(redirect_uri, {"code": code, "state": state})


# ------------------------------------------------------------- token endpoint
def _token_answer(
    tokens: TokenStore, grant: TokenGrant, issue: bool, refresh_token: str | None
) -> Response:
    body: dict[str, object] = {
        "access_token": tokens.issue(grant) if issue else tokens.throwaway(),
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
    }
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    body["scope"] = " ".join(sorted(grant.scopes))
    return Response(200, dumpb(body), content_type="application/json")


def user_grant(
    backend: SpotifyBackend,
    grant_type: str,
    form: Mapping[str, str],
    client: ClientAuth,
    issue: bool = True,
) -> Response:
    """The ``authorization_code`` or ``refresh_token`` grant.

    ``issue=False`` (a faulted response the client will never read whole) checks
    everything but changes nothing: no code used up, no token issued.
    """
    options = backend.options
    if client.client_id != options.client_id:
        return oauth_error("invalid_client", "Invalid client")
    if client.secret is not None and client.secret != options.client_secret:
        return oauth_error("invalid_client", "Invalid client secret")
    if grant_type == "authorization_code":
        return _code_grant(backend, form, client, issue)
    return _refresh_grant(backend, form, client, issue)


def _code_grant(
    backend: SpotifyBackend, form: Mapping[str, str], client: ClientAuth, issue: bool
) -> Response:
    grants = backend.users.grants
    code = grants.find_code(form.get("code", ""), client.client_id)
    if code is None:
        return oauth_error("invalid_grant", "Invalid authorization code")
    if form.get("redirect_uri", "") != code.redirect_uri:
        return oauth_error("invalid_grant", "Invalid redirect URI")
    verifier = form.get("code_verifier")
    if code.challenge is not None or client.secret is None:
        if not verifier:
            return oauth_error("invalid_request", "code_verifier required")
        if code.challenge is None or s256(verifier) != code.challenge:
            return oauth_error("invalid_grant", "code_verifier was incorrect")
    grant = TokenGrant(code.user_id, code.scopes)
    if not issue:
        return _token_answer(backend.tokens, grant, False, TokenStore.throwaway())
    refresh = grants.redeem(code, public_client=client.secret is None)
    if refresh is None:  # redeemed by a concurrent request
        return oauth_error("invalid_grant", "Invalid authorization code")
    return _token_answer(backend.tokens, grant, True, refresh.token)


def _refresh_grant(
    backend: SpotifyBackend, form: Mapping[str, str], client: ClientAuth, issue: bool
) -> Response:
    users = backend.users
    found = users.grants.find_refresh(form.get("refresh_token", ""))
    if found is None or found.client_id != client.client_id:
        return oauth_error("invalid_grant", "Invalid refresh token")
    if client.secret is None and not found.public_client:
        return oauth_error("invalid_client", "Invalid client secret")
    problem = users.grants.refresh_problem(found)
    if problem is not None:
        return oauth_error("invalid_grant", problem)
    grant = TokenGrant(found.user_id, found.scopes)
    if not issue:
        return _token_answer(backend.tokens, grant, False, None)
    rotated = users.grants.rotate(found).token if users.rotate_refresh_tokens else None
    return _token_answer(backend.tokens, grant, True, rotated)
