"""The emulator's listeners, signed in the way a person does it: choose who the browser
session is (`POST /_emulator/user/sign_in?user=...`), visit /authorize, trade the code
for a refresh token. Everything over real HTTP."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import requests

from spotify_emulator import EmulatorServer
from tap_spotify.spotify import READ_SCOPES

REDIRECT_URI = "http://127.0.0.1:8888/callback"


def sign_in(emu: EmulatorServer, user: str) -> None:
    """Who the next /authorize visit signs in as."""
    answer = requests.post(f"{emu.base_url}/_emulator/user/sign_in", params={"user": user},
                           timeout=10)
    answer.raise_for_status()


def refresh_token_for(emu: EmulatorServer, user: str | None = None,
                      scopes: tuple[str, ...] = READ_SCOPES) -> str:
    """A listener's refresh token, as `tap-spotify login` gets one (default: the
    emulator's default listener, every read scope)."""
    sign_in(emu, user or emu.backend.users.default_user)
    options = emu.backend.options
    answer = requests.get(emu.authorize_url, allow_redirects=False, timeout=10, params={
        "client_id": options.client_id, "response_type": "code",
        "redirect_uri": REDIRECT_URI, "state": "s", "scope": " ".join(scopes)})
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    token = requests.post(emu.token_url, auth=(options.client_id, options.client_secret),
                          timeout=10, data={"grant_type": "authorization_code", "code": code,
                                            "redirect_uri": REDIRECT_URI})
    token.raise_for_status()
    return str(token.json()["refresh_token"])


def catalog_settings(emu: EmulatorServer) -> dict[str, str]:
    """tap-spotify's settings that point it at the emulator."""
    options = emu.backend.options
    return {"api_url": emu.api_url, "auth_url": emu.token_url,
            "client_id": options.client_id, "client_secret": options.client_secret}


def as_meltano_env(settings: dict[str, object]) -> dict[str, str]:
    """tap-spotify settings as the environment variables Meltano reads."""
    return {f"TAP_SPOTIFY_{key.upper()}": value if isinstance(value, str) else json.dumps(value)
            for key, value in settings.items()}
