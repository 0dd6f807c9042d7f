"""POST /api/token, the user grants: authorization_code (secret or PKCE) and refresh_token
with the 2026 rules (no new refresh token, revoked, six months after consent)."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

import requests

from spotify_emulator import EmulatorServer
from spotify_emulator.user.oauth import CODE_TTL, GrantStore
from tap_spotify.spotify import authorization_ends
from tests.emulator.user_helpers import (
    ALL_SCOPES,
    REDIRECT,
    get_code,
    login,
    pkce_pair,
    post_form,
    token_post,
)


def _invalid(resp: requests.Response, description: str, error: str = "invalid_grant") -> None:
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"error": error, "error_description": description}


def _refresh(emu: EmulatorServer, token: str, **kwargs: Any) -> requests.Response:
    return token_post(emu, grant_type="refresh_token", refresh_token=token, **kwargs)


def test_code_grant_with_client_secret(emulator: EmulatorServer) -> None:
    code = get_code(emulator)
    resp = token_post(emulator, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert resp.status_code == 200
    body = resp.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(ALL_SCOPES)
    assert body["refresh_token"].startswith("AQ") and body["access_token"].startswith("BQ")
    grant = emulator.backend.tokens.grant(body["access_token"])
    assert grant.user_id == "listener" and grant.scopes == frozenset(ALL_SCOPES)


def test_code_is_single_use(emulator: EmulatorServer) -> None:
    code = get_code(emulator)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    assert post_form(emulator, form).status_code == 200
    _invalid(post_form(emulator, form), "Invalid authorization code")
    _invalid(
        token_post(emulator, grant_type="authorization_code", code="AQnope", redirect_uri=REDIRECT),
        "Invalid authorization code",
    )


def test_code_is_bound_to_its_redirect_uri(emulator: EmulatorServer) -> None:
    code = get_code(emulator)
    other = "http://127.0.0.1:9999/callback"
    _invalid(
        token_post(emulator, grant_type="authorization_code", code=code, redirect_uri=other),
        "Invalid redirect URI",
    )
    # A failed attempt does not use the code up.
    ok = token_post(emulator, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert ok.status_code == 200


def test_client_errors(emulator: EmulatorServer) -> None:
    code = get_code(emulator)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    resp = requests.post(emulator.token_url, data=form, auth=("nobody", "x"), timeout=5)
    _invalid(resp, "Invalid client", "invalid_client")
    resp = requests.post(
        emulator.token_url, data=form, auth=(emulator.options.client_id, "wrong"), timeout=5
    )
    _invalid(resp, "Invalid client secret", "invalid_client")


def test_code_expires_after_ten_minutes() -> None:
    now = [1000.0]
    store = GrantStore(0, lambda: now[0], lambda: 1.8e9)
    code = store.new_code(
        client_id="c", redirect_uri=REDIRECT, scopes=frozenset(), challenge=None, user_id="u"
    )
    assert store.find_code(code, "c") is not None
    assert store.find_code(code, "other-client") is None
    now[0] += CODE_TTL
    assert store.find_code(code, "c") is None


def test_pkce_exchange_without_secret(emulator: EmulatorServer) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(emulator, code_challenge_method="S256", code_challenge=challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": emulator.options.client_id,
    }
    _invalid(post_form(emulator, form, basic=False), "code_verifier required", "invalid_request")
    _invalid(
        post_form(emulator, {**form, "code_verifier": verifier + "x"}, basic=False),
        "code_verifier was incorrect",
    )
    resp = post_form(emulator, {**form, "code_verifier": verifier}, basic=False)
    assert resp.status_code == 200 and "refresh_token" in resp.json()


def test_recorded_challenge_needs_the_verifier_even_with_the_secret(
    emulator: EmulatorServer,
) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(emulator, code_challenge_method="S256", code_challenge=challenge)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    _invalid(post_form(emulator, form), "code_verifier required", "invalid_request")
    assert post_form(emulator, {**form, "code_verifier": verifier}).status_code == 200


def test_no_secret_and_no_challenge_is_refused(emulator: EmulatorServer) -> None:
    code = get_code(emulator)
    resp = token_post(
        emulator,
        basic=False,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=emulator.options.client_id,
    )
    _invalid(resp, "code_verifier required", "invalid_request")


def test_refresh_keeps_the_refresh_token_and_scopes(emulator: EmulatorServer) -> None:
    first = login(emulator, ["user-top-read", "user-read-private"])
    resp = _refresh(emulator, first["refresh_token"])
    assert resp.status_code == 200
    body = resp.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "scope"]
    assert body["scope"] == "user-read-private user-top-read"
    assert body["access_token"] != first["access_token"]
    # The old refresh token goes on working.
    assert _refresh(emulator, first["refresh_token"]).status_code == 200


def test_refresh_token_rotation_switch(emulator: EmulatorServer) -> None:
    first = login(emulator)
    emulator.backend.users.rotate_refresh_tokens = True
    body = _refresh(emulator, first["refresh_token"]).json()
    assert body["refresh_token"] != first["refresh_token"]
    assert _refresh(emulator, body["refresh_token"]).status_code == 200
    assert _refresh(emulator, first["refresh_token"]).status_code == 200


def test_pkce_refresh_token_refreshes_with_client_id(emulator: EmulatorServer) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(emulator, code_challenge_method="S256", code_challenge=challenge)
    client_id = emulator.options.client_id
    answer = token_post(
        emulator,
        basic=False,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=client_id,
        code_verifier=verifier,
    ).json()
    resp = _refresh(emulator, answer["refresh_token"], basic=False, client_id=client_id)
    assert resp.status_code == 200 and "refresh_token" not in resp.json()
    # A refresh token of a confidential exchange needs the secret.
    secret_one = login(emulator)["refresh_token"]
    _invalid(
        _refresh(emulator, secret_one, basic=False, client_id=client_id),
        "Invalid client secret",
        "invalid_client",
    )


def test_invalid_refresh_token(emulator: EmulatorServer) -> None:
    _invalid(_refresh(emulator, "AQnot-a-token"), "Invalid refresh token")
    _invalid(_refresh(emulator, ""), "Invalid refresh token")


def test_revoked_refresh_token(emulator: EmulatorServer) -> None:
    token = login(emulator)["refresh_token"]
    assert emulator.backend.users.revoke() == 1
    _invalid(_refresh(emulator, token), "Refresh token revoked")
    # Authorizing again gives a working one.
    assert _refresh(emulator, login(emulator)["refresh_token"]).status_code == 200


def test_refresh_token_expires_six_months_after_consent(emulator: EmulatorServer) -> None:
    token = login(emulator)["refresh_token"]
    users = emulator.backend.users
    today = datetime.datetime.now(datetime.timezone.utc).date()
    # The fewest days back a consent must lie for its six months to be over by today.
    over = next(
        d for d in range(170, 200) if authorization_ends(today - datetime.timedelta(d)) <= today
    )
    users.age_consent(over - 1)
    assert _refresh(emulator, token).status_code == 200  # refreshing does not extend it
    users.age_consent(1)
    _invalid(_refresh(emulator, token), "Refresh token expired")
    assert _refresh(emulator, login(emulator)["refresh_token"]).status_code == 200


def test_faulted_exchange_does_not_use_the_code(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=["truncated"])
    code = get_code(emu)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    with contextlib.suppress(requests.RequestException):
        post_form(emu, form)
    assert emu.backend.stats()["by_fault"] == {"truncated": 1}
    emu.backend.set_faults(fault_rate=0.0)
    assert post_form(emu, form).status_code == 200
    assert emu.backend.users.summary()["refresh_tokens"]["active"] == 1
