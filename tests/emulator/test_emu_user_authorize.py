"""GET /authorize: Spotify's redirect URI rules, its error page, consent, scopes, PKCE."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.user.oauth import (
    INSECURE_REDIRECT,
    INVALID_CLIENT,
    INVALID_REDIRECT,
    redirect_problem,
)
from tests.emulator.user_helpers import REDIRECT, authorize, pkce_pair, redirected


def _error_page(resp: requests.Response, text: str) -> None:
    """Spotify shows a page instead of redirecting: HTML, 400, its message, no Location."""
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "Location" not in resp.headers
    assert text in resp.text


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:8888/callback",
        "http://127.0.0.1:53682/",
        "http://127.0.0.1/callback",
        "http://[::1]:8888/callback",
        "https://example.com/callback",
        "https://localhost:8443/callback",
    ],
)
def test_secure_redirect_uris_get_a_code(emulator: EmulatorServer, uri: str) -> None:
    resp = authorize(emulator, redirect_uri=uri)
    assert resp.headers["Location"].startswith(uri + "?code=")
    back = redirected(resp)
    assert back["state"] == "st4te" and back["code"].startswith("AQ")
    assert set(back) == {"code", "state"}


@pytest.mark.parametrize(
    "uri",
    [
        "http://localhost:8888/callback",
        "http://LOCALHOST:8888/callback",
        "http://192.168.1.20:8888/callback",
        "http://example.com/callback",
        "http://127.0.0.2:8888/callback",
        "myapp://callback",
    ],
)
def test_insecure_redirect_uris_get_the_error_page(emulator: EmulatorServer, uri: str) -> None:
    _error_page(authorize(emulator, redirect_uri=uri), INSECURE_REDIRECT)


def test_missing_redirect_uri_and_unknown_client(emulator: EmulatorServer) -> None:
    _error_page(authorize(emulator, redirect_uri=""), INVALID_REDIRECT)
    _error_page(authorize(emulator, client_id="someone-else"), INVALID_CLIENT)
    assert INVALID_CLIENT == "INVALID_CLIENT: Invalid client"
    assert INSECURE_REDIRECT == "INVALID_CLIENT: Insecure redirect URI"


def test_response_type_other_than_code_is_an_error_page(emulator: EmulatorServer) -> None:
    for response_type in ("token", ""):
        resp = authorize(emulator, response_type=response_type)
        assert resp.status_code == 400 and "Location" not in resp.headers


def test_registered_redirect_uris_must_match_exactly(make_emulator: Any) -> None:
    emu = make_emulator(redirect_uris=[REDIRECT])
    assert redirected(authorize(emu))["code"]
    _error_page(authorize(emu, redirect_uri="http://127.0.0.1:9999/callback"), INVALID_REDIRECT)
    _error_page(authorize(emu, redirect_uri="http://localhost:8888/callback"), INSECURE_REDIRECT)
    with pytest.raises(ValueError, match="Insecure"):
        EmulatorOptions(redirect_uris=["http://localhost:8888/callback"])


def test_unknown_scope_redirects_with_invalid_scope(emulator: EmulatorServer) -> None:
    back = redirected(authorize(emulator, scope="user-read-private user-read-everything"))
    assert back == {"error": "invalid_scope", "state": "st4te"}


def test_denied_consent_redirects_with_access_denied(emulator: EmulatorServer) -> None:
    emulator.backend.users.consent = "deny"
    assert redirected(authorize(emulator)) == {"error": "access_denied", "state": "st4te"}
    emulator.backend.users.consent = "approve"
    assert "code" in redirected(authorize(emulator))
    with pytest.raises(ValueError):
        emulator.backend.users.consent = "maybe"


def test_state_is_optional_and_echoed_verbatim(emulator: EmulatorServer) -> None:
    odd = "a b&c=d/é"
    assert redirected(authorize(emulator, state=odd))["state"] == odd
    query = {
        "client_id": emulator.options.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
    }
    resp = requests.get(emulator.authorize_url, params=query, allow_redirects=False, timeout=5)
    assert set(redirected(resp)) == {"code"}


def test_redirect_uri_with_a_query_keeps_it(emulator: EmulatorServer) -> None:
    resp = authorize(emulator, redirect_uri="https://example.com/cb?from=app")
    assert resp.headers["Location"].startswith("https://example.com/cb?from=app&code=")


def test_pkce_needs_s256_and_a_challenge(emulator: EmulatorServer) -> None:
    _, challenge = pkce_pair()
    ok = authorize(emulator, code_challenge_method="S256", code_challenge=challenge)
    assert "code" in redirected(ok)
    for params in (
        {"code_challenge_method": "plain", "code_challenge": challenge},
        {"code_challenge_method": "S256"},
    ):
        back = redirected(authorize(emulator, **params))
        assert back["error"] == "invalid_request" and back["state"] == "st4te"


def test_show_dialog_is_accepted(emulator: EmulatorServer) -> None:
    assert "code" in redirected(authorize(emulator, show_dialog="true"))


def test_authorize_is_counted_and_only_get(emulator: EmulatorServer) -> None:
    authorize(emulator)
    authorize(emulator, redirect_uri="http://localhost/cb")
    assert emulator.backend.stats()["counts"]["authorize"] == 2
    resp = requests.post(emulator.authorize_url, timeout=5)
    assert resp.status_code == 405


def test_redirect_problem_rules() -> None:
    assert redirect_problem("http://127.0.0.1:1/x") is None
    assert redirect_problem("http://[::1]/x") is None
    assert redirect_problem("https://a.example/x") is None
    assert redirect_problem("http://localhost/x") == INSECURE_REDIRECT
    assert redirect_problem("http:///x") == INVALID_REDIRECT
    assert redirect_problem("http://127.0.0.1:99999/x") == INVALID_REDIRECT
    assert redirect_problem("https://a.example/x", ["https://b.example/x"]) == INVALID_REDIRECT


def test_cli_prints_the_authorize_url_and_takes_redirect_uris() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spotify_emulator",
            "--port",
            "0",
            "--new-releases",
            "3",
            "--redirect-uris",
            REDIRECT,
            "--lifetime",
            "30",
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(3)]
        assert lines[2].startswith("AUTHORIZE_URL=http://127.0.0.1:")
        url = lines[2].split("=", 1)[1]
        assert url.endswith("/authorize")
        params = {
            "client_id": "emulator-client",
            "response_type": "code",
            "redirect_uri": REDIRECT,
        }
        ok = requests.get(url, params=params, allow_redirects=False, timeout=5)
        assert "code" in redirected(ok)
        params["redirect_uri"] = "http://127.0.0.1:1234/callback"
        refused = requests.get(url, params=params, allow_redirects=False, timeout=5)
        _error_page(refused, INVALID_REDIRECT)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
