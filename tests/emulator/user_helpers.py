"""Helpers for the user-side tests: play the browser through /authorize, exchange the
code, and compare field sets with the 2026 recordings."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from spotify_emulator import EmulatorServer
from tap_spotify.spotify import READ_SCOPES

REDIRECT = "http://127.0.0.1:8888/callback"
#: Every read scope the tap asks for.
ALL_SCOPES = READ_SCOPES


def pkce_pair() -> tuple[str, str]:
    """A verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(emu: EmulatorServer, **params: str) -> requests.Response:
    """GET /authorize like a browser, without following the redirect."""
    query = {
        "client_id": emu.options.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "st4te",
        "scope": " ".join(ALL_SCOPES),
    }
    query.update(params)
    return requests.get(emu.authorize_url, params=query, allow_redirects=False, timeout=5)


def redirected(resp: requests.Response) -> dict[str, str]:
    """The query the browser was sent back with."""
    assert resp.status_code == 302, resp.text
    query = parse_qs(urlsplit(resp.headers["Location"]).query, keep_blank_values=True)
    return {k: v[0] for k, v in query.items()}


def get_code(emu: EmulatorServer, **params: str) -> str:
    return redirected(authorize(emu, **params))["code"]


def post_form(
    emu: EmulatorServer, form: Mapping[str, str], basic: bool = True
) -> requests.Response:
    """POST /api/token with the client secret in a Basic header (or no secret at all)."""
    opts = emu.options
    auth = (opts.client_id, opts.client_secret) if basic else None
    return requests.post(emu.token_url, data=dict(form), auth=auth, timeout=5)


def token_post(emu: EmulatorServer, *, basic: bool = True, **form: str) -> requests.Response:
    """``post_form`` with the form as keyword arguments."""
    return post_form(emu, form, basic)


def login(emu: EmulatorServer, scopes: Iterable[str] = ALL_SCOPES) -> dict[str, Any]:
    """The token answer of a whole Authorization Code login (client secret, no PKCE)."""
    code = get_code(emu, scope=" ".join(scopes))
    resp = token_post(emu, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def user_session(emu: EmulatorServer, scopes: Iterable[str] = ALL_SCOPES) -> requests.Session:
    """A keep-alive session carrying a user token with these scopes."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {login(emu, scopes)['access_token']}"
    return s


def fields(value: Any, prefix: str = "") -> set[str]:
    """Every field path in a JSON value (``items[].track.album.name``), lists merged."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= fields(inner, path)
    elif isinstance(value, list):
        for inner in value:
            out |= fields(inner, prefix + "[]")
    return out


def user_admin(emu: EmulatorServer, route: str, **params: Any) -> Any:
    """``POST /_emulator/user/<route>`` with query parameters; must answer 200."""
    resp = requests.post(f"{emu.base_url}/_emulator/user/{route}", params=params, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def user_summary(emu: EmulatorServer, user: str | None = None) -> dict[str, Any]:
    """``GET /_emulator/user[?user=...]``."""
    params = {"user": user} if user else None
    return dict(requests.get(f"{emu.base_url}/_emulator/user", params=params, timeout=5).json())


def session_as(
    emu: EmulatorServer, user: str, scopes: Iterable[str] = ALL_SCOPES
) -> requests.Session:
    """A user session for this listener: sign in as them (admin), then log in."""
    user_admin(emu, "sign_in", user=user)
    return user_session(emu, scopes)


def get_json(emu: EmulatorServer, s: requests.Session, path: str, **params: Any) -> Any:
    """GET an API path; must answer 200."""
    resp = s.get(emu.api_url + path, params=params or None, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()
