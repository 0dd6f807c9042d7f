"""Token endpoint errors, token expiry and every 401/400 auth answer."""

from __future__ import annotations

import base64
import time
from typing import Any

import requests

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import get_token, recorded_body

GRANT = {"grant_type": "client_credentials"}
CHALLENGE = 'Bearer realm="spotify", error="invalid_token", error_description="{}"'


def _post(emu: EmulatorServer, **kwargs: Any) -> requests.Response:
    return requests.post(emu.token_url, timeout=5, **kwargs)


def test_token_basic_and_form(emulator: EmulatorServer) -> None:
    opts = emulator.options
    basic = _post(emulator, data=GRANT, auth=(opts.client_id, opts.client_secret))
    form = _post(
        emulator,
        data={**GRANT, "client_id": opts.client_id, "client_secret": opts.client_secret},
    )
    for resp in (basic, form):
        assert resp.status_code == 200
        body = resp.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert body["access_token"]
    assert basic.json()["access_token"] != form.json()["access_token"]


def test_token_errors(emulator: EmulatorServer) -> None:
    opts = emulator.options
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        (
            dict(data=GRANT, auth=("someone-else", opts.client_secret)),
            {"error": "invalid_client", "error_description": "Invalid client"},
        ),
        (
            dict(data=GRANT, auth=(opts.client_id, "wrong")),
            {"error": "invalid_client", "error_description": "Invalid client secret"},
        ),
        (dict(data=GRANT), {"error": "invalid_client", "error_description": "Invalid client"}),
        (
            dict(json=GRANT, auth=(opts.client_id, opts.client_secret)),
            {
                "error": "unsupported_grant_type",
                "error_description": "grant_type parameter is missing",
            },
        ),
        (
            dict(data=GRANT, headers={"Authorization": "Basic not*base64"}),
            {"error": "invalid_client"},
        ),
    ]
    for kwargs, expected in cases:
        resp = _post(emulator, **kwargs)
        assert resp.status_code == 400, expected
        assert resp.json() == expected
    assert recorded_body("swj_token_invalid_client.json") == cases[0][1]


def test_token_basic_header_wins_over_form(emulator: EmulatorServer) -> None:
    opts = emulator.options
    encoded = base64.b64encode(f"{opts.client_id}:{opts.client_secret}".encode()).decode()
    resp = _post(
        emulator,
        data={**GRANT, "client_id": "x", "client_secret": "y"},
        headers={"Authorization": f"Basic {encoded}"},
    )
    assert resp.status_code == 200


def test_no_token(emulator: EmulatorServer) -> None:
    resp = requests.get(emulator.api_url + "/browse/new-releases", timeout=5)
    assert resp.status_code == 401
    assert resp.json() == {"error": {"status": 401, "message": "No token provided"}}
    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="spotify"'


def test_invalid_token(emulator: EmulatorServer) -> None:
    resp = requests.get(
        emulator.api_url + "/browse/new-releases",
        headers={"Authorization": "Bearer garbage"},
        timeout=5,
    )
    assert resp.status_code == 401
    assert resp.json()["error"]["message"] == "Invalid access token"
    assert resp.headers["WWW-Authenticate"] == CHALLENGE.format("Invalid access token")


def test_not_bearer(emulator: EmulatorServer) -> None:
    resp = requests.get(emulator.api_url + "/browse/new-releases", auth=("a", "b"), timeout=5)
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Only valid bearer authentication supported"


def test_token_expires(make_emulator: Any) -> None:
    emu = make_emulator(token_ttl=0.3)
    token = get_token(emu)
    headers = {"Authorization": f"Bearer {token}"}
    url = emu.api_url + "/browse/new-releases"
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    time.sleep(0.4)
    resp = requests.get(url, headers=headers, timeout=5)
    expired = recorded_body("rspotify_album_401_expired_token_then_refresh_2019.json", 0)
    assert resp.status_code == 401
    assert resp.json() == expired  # byte-level equal to the genuine 2019 recording's body
    assert resp.headers["WWW-Authenticate"] == CHALLENGE.format("The access token expired")
    fresh = get_token(emu)
    assert requests.get(url, headers={"Authorization": f"Bearer {fresh}"}, timeout=5).ok


def test_expire_tokens_control(emulator: EmulatorServer) -> None:
    token = get_token(emulator)
    emulator.backend.expire_tokens()
    resp = requests.get(
        emulator.api_url + "/browse/new-releases",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert resp.json()["error"]["message"] == "The access token expired"


def test_custom_credentials(make_emulator: Any) -> None:
    emu = make_emulator(client_id="abc", client_secret="xyz")
    assert _post(emu, data=GRANT, auth=("abc", "xyz")).status_code == 200
    assert _post(emu, data=GRANT, auth=("emulator-client", "emulator-secret")).status_code == 400


def test_issued_tokens_are_listed(emulator: EmulatorServer) -> None:
    tokens = {get_token(emulator), get_token(emulator)}
    assert set(emulator.backend.tokens.issued()) == tokens
