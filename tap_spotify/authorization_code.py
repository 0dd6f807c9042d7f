"""Spotify's Authorization Code grant with PKCE, as `tap-spotify login` walks it: the
link to Spotify's consent page, the code the browser brings back, and its exchange
for a refresh token.

Why PKCE on top of the client secret: the code travels through the browser and a
local port; without the verifier that never leaves this process it is worth nothing.
The exchange goes through the tap's own session (one deadline for the whole request,
capped bodies, no redirects), and any text from the server is redacted.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import typing as t
from urllib.parse import urlencode

import requests
import urllib3

from tap_spotify.errors import (
    Redactor,
    TapSpotifyError,
    classify,
    error_details,
    network_failure,
)
from tap_spotify.session import SpotifySession

if t.TYPE_CHECKING:
    from tap_spotify.settings import Settings


class SignInFailed(TapSpotifyError):
    """No refresh token came of the sign-in: the message says why and what to do."""


def pkce_pair() -> tuple[str, str]:
    """A random code_verifier and its S256 code_challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_link(settings: Settings, redirect_uri: str, state: str, challenge: str,
                   scopes: t.Sequence[str]) -> str:
    query = urlencode({
        "client_id": settings.client_id, "response_type": "code",
        "redirect_uri": redirect_uri, "state": state, "scope": " ".join(scopes),
        "code_challenge_method": "S256", "code_challenge": challenge,
    })
    base = settings.authorize_url
    return f"{base}{'&' if '?' in base else '?'}{query}"


def authorization_code(query: dict[str, str], again: str) -> str:
    """The code in Spotify's answer, or SignInFailed saying why there is none."""
    error = query.get("error")
    if error == "access_denied":
        raise SignInFailed("you did not agree on Spotify's page (access_denied), so nothing "
                           f"was stored; run {again} again and choose Agree.")
    if error:
        raise SignInFailed(f"Spotify answered with error {Redactor()(error)!r}: nothing was "
                           f"stored; check the app's settings and run {again} again.")
    if not query.get("code"):
        raise SignInFailed("the callback came back without an authorization code: nothing "
                           f"was stored; run {again} again.")
    return query["code"]


def exchange(settings: Settings, code: str, redirect_uri: str, verifier: str,
             again: str) -> dict[str, t.Any]:
    """The token endpoint's answer to the code (client secret and PKCE verifier), sent
    through the tap's session: one deadline for the whole exchange, no redirects."""
    client = (settings.client_id or "", settings.client_secret or "")
    basic = base64.b64encode(":".join(client).encode()).decode()  # the secret, encoded
    redact = Redactor([client[1], basic, code, verifier])
    url = settings.auth_url
    with SpotifySession(pool_size=2, deadline=settings.request_timeout) as session:
        try:
            response = session.post(url, auth=client, data={
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri, "code_verifier": verifier})
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise SignInFailed(f"could not reach the token endpoint {url} "
                               f"({network_failure(exc)}): nothing was stored; check auth_url "
                               f"and your network, then run {again} again.") from None
    if response.status_code < 400:
        classify(response, max_retry_wait=0, redact=redact)  # a redirect: one line
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or (isinstance(body, dict) and "error" in body):
        raise SignInFailed(refusal(response, redact, again))
    if not (isinstance(body, dict) and isinstance(body.get("refresh_token"), str)
            and body["refresh_token"]):
        raise SignInFailed(f"the token endpoint {url} answered without a refresh token: "
                           "nothing was stored; check auth_url.")
    return body


def refusal(response: requests.Response, redact: Redactor, again: str) -> str:
    """One line for a code exchange the token endpoint refused, saying what to do."""
    message, error = error_details(response, redact)
    said = f"{error}: {message}" if error and error != message else message
    if error == "invalid_client":
        advice = ("check client_id and client_secret (your Spotify app's settings), then "
                  f"run {again} again.")
    elif "redirect" in message.lower():
        advice = ("register the redirect URI login printed, exactly, in your Spotify app's "
                  f"settings, then run {again} again.")
    else:
        advice = f"run {again} again (an authorization code works once, for a few minutes)."
    return (f"Spotify refused the authorization code ({said}, HTTP {response.status_code}): "
            f"nothing was stored; {advice}")
