"""The hostile switches added for the tap's robustness tests (hostile.py): bodies bent
out of shape, redirects, forged error messages, a gzip bomb, trickled headers, a cursor
loop, an ignored ``after`` and withheld playlist items; each over real HTTP."""

from __future__ import annotations

import socket
import time
import zlib
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from spotify_emulator.http.compression import gzip_bomb
from spotify_emulator.http.hostile import FORGED_MESSAGE, GZIP_BOMB_BYTES, Hostile
from tests.emulator.helpers import api, get_token, session
from tests.emulator.user_helpers import get_json, session_as, user_session, user_summary

ELSEWHERE = "http://127.0.0.2:9"


def hostile(emu: EmulatorServer, **params: Any) -> dict[str, Any]:
    """``POST /_emulator/hostile`` with query parameters; must answer 200."""
    resp = requests.post(f"{emu.base_url}/_emulator/hostile", params=params, timeout=5)
    assert resp.status_code == 200, resp.text
    return dict(resp.json()["hostile"])


def _album(emu: EmulatorServer, tracks: int = 120) -> str:
    return next(a.id for a in emu.backend.catalog.new_releases if a.total_tracks == tracks)


# ------------------------------------------------------------------- shapes
def test_error_object_in_a_200(emulator: EmulatorServer) -> None:
    s = session(emulator)
    hostile(emulator, shape="error_object", shape_for="/v1/browse")
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == 200
    assert resp.json() == {"error": {"status": 500, "message": "Server error"}}
    assert "albums" in api(emulator, s, f"/albums/{_album(emulator)}").json()["tracks"]["href"]


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("list", lambda body: isinstance(body, list) and "albums" in body[0]),
        ("string", lambda body: body == "OK"),
        ("paging_list", lambda body: isinstance(body["albums"], list)),
        ("paging_string", lambda body: body["albums"].startswith("http://127.0.0.1")),
    ],
)
def test_something_else_where_an_object_belongs(
    emulator: EmulatorServer, shape: str, check: Any
) -> None:
    emulator.backend.set_hostile(shape=shape, shape_for="/v1")  # the token answer stays
    body = api(emulator, session(emulator), "/browse/new-releases").json()
    assert check(body), body


def test_paging_list_on_a_bare_page(emulator: EmulatorServer) -> None:
    emulator.backend.set_hostile(shape="paging_list")
    body = api(emulator, session(emulator), f"/albums/{_album(emulator)}/tracks").json()
    assert isinstance(body, list) and body[0]["type"] == "track"


def test_junk_items_in_every_listing(emulator: EmulatorServer) -> None:
    emulator.backend.set_hostile(shape=("junk_items",))
    app, user = session(emulator), user_session(emulator)
    pages = [
        api(emulator, app, "/browse/new-releases").json()["albums"],
        api(emulator, app, f"/albums/{_album(emulator)}/tracks").json(),
        get_json(emulator, user, "/me/tracks"),
        get_json(emulator, user, "/me/player/recently-played"),
        get_json(emulator, user, "/me/following", type="artist")["artists"],
    ]
    for page in pages:
        assert page["items"][:3] == [1, "a", None] and isinstance(page["items"][3], dict)


def test_albums_and_tracks_without_id(emulator: EmulatorServer) -> None:
    app, user = session(emulator), user_session(emulator)
    album = _album(emulator)
    playlist = user_summary(emulator)["playlists"][0]["id"]
    emulator.backend.set_hostile(shape="album_without_id,track_without_id")
    listed = api(emulator, app, "/browse/new-releases").json()["albums"]["items"]
    several = api(emulator, app, "/albums", ids=album).json()["albums"][0]
    tracks = api(emulator, app, f"/albums/{album}/tracks").json()["items"]
    saved_albums = get_json(emulator, user, "/me/albums")["items"]
    saved_tracks = get_json(emulator, user, "/me/tracks")["items"]
    entries = get_json(emulator, user, f"/playlists/{playlist}/items")["items"]
    assert all("id" not in a for a in listed) and "id" not in several
    assert all("id" not in t for t in several["tracks"]["items"] + tracks)
    assert all("id" not in i["album"] and "id" not in i["album"]["tracks"]["items"][0]
               for i in saved_albums)
    assert all("id" not in i["track"] and "id" not in i["track"]["album"] for i in saved_tracks)
    songs = [e for e in entries if e["item"]["type"] == "track"]
    assert songs and all("id" not in e["item"] and "id" not in e["track"] for e in songs)
    assert all("id" in a for a in listed[0]["artists"])  # artists keep theirs


@pytest.mark.parametrize(("shape", "value"), [("next_number", 42), ("next_object", {})])
def test_next_that_is_not_a_string(emulator: EmulatorServer, shape: str, value: Any) -> None:
    emulator.backend.set_hostile(shape=shape)
    app = session(emulator)
    assert api(emulator, app, "/browse/new-releases").json()["albums"]["next"] == value
    assert api(emulator, app, f"/albums/{_album(emulator)}").json()["tracks"]["next"] == value
    page = get_json(emulator, user_session(emulator), "/me/following", type="artist")
    assert page["artists"]["next"] == value


def test_numeric_release_date(emulator: EmulatorServer) -> None:
    emulator.backend.set_hostile(shape="numeric_release_date")
    albums = api(emulator, session(emulator), "/browse/new-releases").json()["albums"]["items"]
    assert all(isinstance(a["release_date"], int) for a in albums)
    assert {a["release_date"] for a in albums} <= {2025, 2026}


def test_malformed_user(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    hostile(emulator, shape="malformed_user", shape_for="/v1/me")
    me = get_json(emulator, s, "/me")
    assert (me["id"], me["images"], me["followers"], me["display_name"]) == (12, "x", 5, {})
    owners = [p["owner"] for p in get_json(emulator, s, "/me/playlists")["items"]]
    assert all(isinstance(o["id"], str) for o in owners)


def test_token_expires_in_a_string(emulator: EmulatorServer) -> None:
    hostile(emulator, shape="expires_in_string", shape_for="/api/token")
    opts = emulator.options
    answer = requests.post(
        emulator.token_url,
        data={"grant_type": "client_credentials"},
        auth=(opts.client_id, opts.client_secret),
        timeout=5,
    ).json()
    assert answer["expires_in"] == "soon" and answer["access_token"].startswith("BQ")


def test_shapes_leave_errors_and_other_paths_alone(emulator: EmulatorServer) -> None:
    emulator.backend.set_hostile(shape="list", shape_for="/v1/albums")
    s = session(emulator)
    assert "albums" in api(emulator, s, "/browse/new-releases").json()
    assert isinstance(api(emulator, s, f"/albums/{_album(emulator)}").json(), list)
    missing = api(emulator, s, "/albums/" + "0" * 22)
    assert missing.status_code == 404 and "error" in missing.json()


# ---------------------------------------------------------------- redirects
def test_token_endpoint_redirects_to_another_host(emulator: EmulatorServer) -> None:
    hostile(emulator, redirect_for="/api/token", redirect_code=307, redirect_to=ELSEWHERE)
    resp = requests.post(
        emulator.token_url, data={"grant_type": "client_credentials"}, allow_redirects=False,
        timeout=5,
    )
    assert resp.status_code == 307 and resp.headers["Location"] == ELSEWHERE + "/api/token"
    assert emulator.backend.tokens.issued() == []


def test_any_api_path_redirects(emulator: EmulatorServer) -> None:
    s = session(emulator)
    emulator.backend.set_hostile(redirect_for="/v1", redirect_to=ELSEWHERE + "/")
    resp = s.get(emulator.api_url + "/browse/new-releases?limit=3", allow_redirects=False,
                 timeout=5)
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"{ELSEWHERE}/v1/browse/new-releases?limit=3"


# -------------------------------------------------------- forged error message
def test_error_message_echoes_the_token_and_forges_a_line(emulator: EmulatorServer) -> None:
    token = get_token(emulator)
    emulator.backend.set_hostile(
        status_for="/v1/browse", status_code=400, status_message=FORGED_MESSAGE
    )
    resp = requests.get(
        emulator.api_url + "/browse/new-releases",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    message = resp.json()["error"]["message"]
    assert resp.status_code == 400
    assert message == f"Bearer {token}\n\x1b[2J\x1b[31m\ntap-spotify: error: forged"
    hostile(emulator, status_message="token={token}", status_code=500)
    resp = requests.get(
        emulator.api_url + "/browse/new-releases",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert resp.json() == {"error": {"status": 500, "message": f"token={token}"}}


# ---------------------------------------------------------------- gzip bomb
def test_gzip_bomb(emulator: EmulatorServer) -> None:
    size = 20_000_000
    hostile(emulator, gzip_bomb_for="/v1/browse", gzip_bomb_bytes=size)
    token = get_token(emulator)
    with requests.get(
        emulator.api_url + "/browse/new-releases",
        headers={"Authorization": f"Bearer {token}"},
        stream=True,
        timeout=30,
    ) as resp:
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
        packed = resp.raw.read(decode_content=False)
    assert len(packed) == int(resp.headers["Content-Length"]) < size // 500
    inflater = zlib.decompressobj(31)
    inflated = 0
    chunk = inflater.decompress(packed, 1 << 20)
    while chunk:
        assert not chunk.strip(b"\0")
        inflated += len(chunk)
        chunk = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
    assert inflated == size and inflater.eof
    assert gzip_bomb(size) is gzip_bomb(size)  # built once, then cached
    assert Hostile().gzip_bomb_bytes == GZIP_BOMB_BYTES == 3_000_000_000


# ----------------------------------------------------------- trickled headers
def _seconds_to_headers(emu: EmulatorServer) -> float:
    """Seconds from sending a request until its blank line after the headers arrived."""
    with socket.create_connection((emu.host, emu.port), timeout=10) as sock:
        start = time.monotonic()
        sock.sendall(b"GET /v1/browse HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(1)
            assert chunk, data
            data += chunk
        assert data.startswith(b"HTTP/1.1 404 Not Found\r\n")
        return time.monotonic() - start


def test_trickled_status_line_and_headers(make_emulator: Any) -> None:
    emu = make_emulator(trickle_ms=4)
    assert _seconds_to_headers(emu) < 0.1  # the body trickles, the head does not
    emu.backend.set_hostile(trickle_headers=True)
    assert _seconds_to_headers(emu) > 0.4  # about 150 bytes, 4 ms apart


# ------------------------------------------------------------------ cursors
def test_following_cursor_loop(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    emulator.backend.set_hostile(cursor_loop=True)
    url = f"{emulator.api_url}/me/following?type=artist&limit=20"
    cursors, pages = [], []
    for _ in range(5):
        page = s.get(url, timeout=5).json()["artists"]
        cursors.append(page["cursors"]["after"])
        pages.append([a["id"] for a in page["items"]])
        url = page["next"]
    assert len(set(cursors)) == 5 and all(p == pages[0] for p in pages)
    assert url.endswith("&after=loop5")


def test_recently_played_ignores_after(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    newest = get_json(emulator, s, "/me/player/recently-played", limit=1)["cursors"]["after"]
    assert get_json(emulator, s, "/me/player/recently-played", after=newest)["items"] == []
    hostile(emulator, ignore_after="1")
    again = get_json(emulator, s, "/me/player/recently-played", after=newest, limit=50)
    assert len(again["items"]) == 50


# --------------------------------------------------------- withheld playlist items
def test_chosen_playlists_items_answer_403_in_any_profile(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    first, second, third = (p["id"] for p in user_summary(emulator)["playlists"][:3])
    hostile(
        emulator,
        status_for=f"/v1/playlists/{first}/items,/v1/playlists/{second}/items",
        status_code=403,
    )
    for playlist in (first, second):
        resp = s.get(f"{emulator.api_url}/playlists/{playlist}/items", timeout=5)
        assert resp.status_code == 403
        assert resp.json() == {"error": {"status": 403, "message": "Forbidden"}}
    assert s.get(f"{emulator.api_url}/playlists/{third}/items", timeout=5).ok
    assert len(get_json(emulator, s, "/me/playlists", limit=50)["items"]) == 12


# ----------------------------------------------------------------- controls
def test_the_switches_from_options(make_emulator: Any) -> None:
    emu = make_emulator(shape="junk_items", shape_for="/v1/me", ignore_after=True)
    items = get_json(emu, session_as(emu, "bob"), "/me/albums")["items"]
    assert items[:3] == [1, "a", None]
    assert emu.backend.hostile.ignore_after


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"shape": "bogus"}, "unknown shapes"),
        ({"redirect_for": "/v1"}, "redirect_to"),
        ({"redirect_for": "/v1", "redirect_to": ELSEWHERE, "redirect_code": 200}, "redirect_code"),
        ({"redirect_to": "http://x\r\nEvil: 1"}, "redirect_to"),
        ({"gzip_bomb_bytes": 0}, "gzip_bomb_bytes"),
        ({"shape_for": "v1"}, "shape_for"),
    ],
)
def test_bad_switches_are_refused(
    emulator: EmulatorServer, changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        emulator.backend.set_hostile(**changes)
    resp = requests.post(
        f"{emulator.base_url}/_emulator/hostile",
        params={k: str(v) for k, v in changes.items()},
        timeout=5,
    )
    assert resp.status_code == 400 and problem in resp.json()["error"]
    assert emulator.backend.hostile == Hostile()
