"""Who may read what: user tokens only, one scope per endpoint."""

from __future__ import annotations

import pytest

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import session
from tests.emulator.user_helpers import ALL_SCOPES, user_session

#: Endpoint path -> the scope it needs (README "User data" and the issue).
NEEDS = {
    "/me": "user-read-private",
    "/me/player/recently-played": "user-read-recently-played",
    "/me/top/artists": "user-top-read",
    "/me/top/tracks": "user-top-read",
    "/me/tracks": "user-library-read",
    "/me/albums": "user-library-read",
    "/me/following?type=artist": "user-follow-read",
    "/me/playlists": "playlist-read-private",
    "/users/listener/playlists": "playlist-read-private",
}


def _first_playlist(emu: EmulatorServer) -> str:
    return emu.backend.users.library().playlist_ids[0]


def test_app_token_gets_401_on_user_endpoints(emulator: EmulatorServer) -> None:
    s = session(emulator)
    paths = [*NEEDS, f"/playlists/{_first_playlist(emulator)}/items"]
    for path in paths:
        resp = s.get(emulator.api_url + path, timeout=5)
        assert resp.status_code == 401, path
        assert resp.json() == {"error": {"status": 401, "message": "Unauthorized."}}
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="spotify"'
    # The catalog still works with the same token.
    assert s.get(emulator.api_url + "/browse/new-releases", timeout=5).status_code == 200


@pytest.mark.parametrize("path", [*NEEDS, "playlist items"])
def test_missing_scope_gives_403(emulator: EmulatorServer, path: str) -> None:
    if path == "playlist items":
        path, scope = f"/playlists/{_first_playlist(emulator)}/items", "playlist-read-private"
    else:
        scope = NEEDS[path]
    without = user_session(emulator, [s for s in ALL_SCOPES if s != scope])
    resp = without.get(emulator.api_url + path, timeout=5)
    assert resp.status_code == 403
    assert resp.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}
    only = user_session(emulator, [scope])
    assert only.get(emulator.api_url + path, timeout=5).status_code == 200


def test_user_token_also_reads_the_catalog(emulator: EmulatorServer) -> None:
    s = user_session(emulator, [])
    assert s.get(emulator.api_url + "/browse/new-releases", timeout=5).status_code == 200


def test_email_needs_user_read_email(emulator: EmulatorServer) -> None:
    private = user_session(emulator, ["user-read-private"]).get(emulator.api_url + "/me").json()
    both = user_session(emulator, ["user-read-private", "user-read-email"])
    assert "email" not in private
    assert both.get(emulator.api_url + "/me").json()["email"] == "listener@example.com"


def test_collaborative_playlists_need_playlist_read_collaborative(
    emulator: EmulatorServer,
) -> None:
    url = emulator.api_url + "/me/playlists?limit=50"
    private_only = user_session(emulator, ["playlist-read-private"]).get(url).json()
    everything = user_session(emulator).get(url).json()
    assert not any(p["collaborative"] for p in private_only["items"])
    collaborative = [p for p in everything["items"] if p["collaborative"]]
    assert len(collaborative) == 2
    assert private_only["total"] == everything["total"] - 2


def test_expired_user_token_is_401_expired(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    emulator.backend.expire_tokens()
    resp = s.get(emulator.api_url + "/me", timeout=5)
    assert resp.status_code == 401
    assert resp.json()["error"]["message"] == "The access token expired"
