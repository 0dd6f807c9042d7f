"""Hostile behaviours (hostile.py): lying paging, a looping server, trickled bodies,
odd Retry-After values and unexpected error statuses; in-process and over HTTP."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.http.hostile import HOSTILE_FIELDS, Hostile
from tests.emulator.helpers import api, get_token, session, split_response

OTHER = "http://127.0.0.2:9/v1"


@pytest.fixture
def s(emulator: EmulatorServer) -> requests.Session:
    return session(emulator)


def _long_album(emu: EmulatorServer, tracks: int = 120) -> str:
    return next(a.id for a in emu.backend.catalog.new_releases if a.total_tracks == tracks)


def _pages(emu: EmulatorServer, s: requests.Session, album: str) -> dict[str, dict[str, Any]]:
    """One paging object of each kind: listing, search, album tracks, embedded tracks."""
    return {
        "new_releases": api(emu, s, "/browse/new-releases").json()["albums"],
        "search": api(emu, s, "/search", q="tag:new", type="album").json()["albums"],
        "album_tracks": api(emu, s, f"/albums/{album}/tracks").json(),
        "embedded": api(emu, s, f"/albums/{album}").json()["tracks"],
        "several": api(emu, s, "/albums", ids=album).json()["albums"][0]["tracks"],
    }


# ------------------------------------------------------------------ next_base
def test_next_base(emulator: EmulatorServer, s: requests.Session) -> None:
    album = _long_album(emulator)
    before = _pages(emulator, s, album)
    emulator.backend.set_hostile(next_base=OTHER)
    after = _pages(emulator, s, album)
    own = emulator.api_url
    for kind, page in after.items():
        assert page["next"] == before[kind]["next"].replace(own, OTHER), kind
        assert page["next"].startswith(OTHER + "/")
        assert {k: v for k, v in page.items() if k != "next"} == {
            k: v for k, v in before[kind].items() if k != "next"
        }
    later = api(emulator, s, "/browse/new-releases", offset=20).json()["albums"]
    assert later["previous"].startswith(own) and later["href"].startswith(own)
    last = api(emulator, s, "/browse/new-releases", offset=80).json()["albums"]
    assert last["next"] is None


# ------------------------------------------------------------------ loop_next
def test_loop_next_points_to_the_first_page(emulator: EmulatorServer, s: requests.Session) -> None:
    emulator.backend.set_hostile(loop_next=True)
    base = emulator.api_url
    last = api(emulator, s, "/browse/new-releases", offset=90, limit=10).json()["albums"]
    assert len(last["items"]) == 10
    assert last["next"] == f"{base}/browse/new-releases?offset=0&limit=10"
    single = _long_album(emulator, tracks=1)
    page = api(emulator, s, f"/albums/{single}/tracks", market="ES").json()
    assert page["next"] == f"{base}/albums/{single}/tracks?offset=0&limit=20&market=ES"
    assert api(emulator, s, f"/albums/{single}").json()["tracks"]["next"] == (
        f"{base}/albums/{single}/tracks?offset=0&limit=50"
    )
    search = api(emulator, s, "/search", q="tag:new", type="album", offset=995).json()["albums"]
    assert search["next"] == f"{base}/search?query=tag%3Anew&offset=0&limit=5&type=album"
    # A client following next never gets out, not even from the first page.
    url = f"{base}/browse/new-releases?limit=50&offset=50"
    seen = []
    for _ in range(4):
        page = s.get(url, timeout=5).json()["albums"]
        seen.append(page["offset"])
        url = page["next"]
    assert seen == [50, 0, 0, 0]


def test_loop_next_with_next_base(emulator: EmulatorServer, s: requests.Session) -> None:
    emulator.backend.set_hostile(loop_next=True, next_base=OTHER)
    page = api(emulator, s, "/browse/new-releases", offset=90, limit=10).json()["albums"]
    assert page["next"] == f"{OTHER}/browse/new-releases?offset=0&limit=10"


# ---------------------------------------------------------------------- total
def test_total_lies_but_next_follows_the_data(
    emulator: EmulatorServer, s: requests.Session
) -> None:
    album = _long_album(emulator)
    real = _pages(emulator, s, album)
    emulator.backend.set_hostile(total=7)
    lied = _pages(emulator, s, album)
    for kind, page in lied.items():
        assert page["total"] == 7, kind
        assert page["next"] == real[kind]["next"] and page["items"] == real[kind]["items"]
    emulator.backend.set_hostile(total=100_000)
    last = api(emulator, s, "/browse/new-releases", offset=80).json()["albums"]
    assert last["total"] == 100_000 and last["next"] is None
    emulator.backend.set_hostile(loop_next=True)  # total stays 100000; now next loops
    last = api(emulator, s, "/browse/new-releases", offset=80).json()["albums"]
    assert last["total"] == 100_000 and last["next"].endswith("offset=0&limit=20")


def test_total_zero(emulator: EmulatorServer, s: requests.Session) -> None:
    emulator.backend.set_hostile(total=0)
    page = api(emulator, s, "/browse/new-releases").json()["albums"]
    assert page["total"] == 0 and len(page["items"]) == 20 and page["next"]


# -------------------------------------------------------------- ignore_offset
def test_ignore_offset(emulator: EmulatorServer, s: requests.Session) -> None:
    album = _long_album(emulator)
    first = api(emulator, s, "/browse/new-releases").json()["albums"]
    first_tracks = api(emulator, s, f"/albums/{album}/tracks").json()
    first_search = api(emulator, s, "/search", q="tag:new", type="album").json()["albums"]
    emulator.backend.set_hostile(ignore_offset=True)
    base = emulator.api_url
    page = api(emulator, s, "/browse/new-releases", offset=40).json()["albums"]
    assert page["items"] == first["items"] and page["offset"] == 40 and page["total"] == 100
    assert page["next"] == f"{base}/browse/new-releases?offset=60&limit=20"
    tracks = api(emulator, s, f"/albums/{album}/tracks", offset=80).json()
    assert tracks["items"] == first_tracks["items"] and tracks["offset"] == 80
    assert tracks["next"].endswith("offset=100&limit=20") and tracks["total"] == 120
    last = api(emulator, s, f"/albums/{album}/tracks", offset=100).json()
    assert last["items"] == first_tracks["items"] and last["next"] is None
    search = api(emulator, s, "/search", q="tag:new", type="album", offset=5).json()["albums"]
    assert search["items"] == first_search["items"] and search["offset"] == 5


# ---------------------------------------------------------------- trickle_ms
def _timed_raw_get(emu: EmulatorServer, path: str) -> tuple[float, float, bytes]:
    """Seconds until the headers arrived, until the whole response had, and the data."""
    with socket.create_connection((emu.host, emu.port), timeout=10) as sock:
        start = time.monotonic()
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        headers_at = None
        while chunk := sock.recv(65536):
            data += chunk
            if headers_at is None and b"\r\n\r\n" in data:
                headers_at = time.monotonic() - start
        assert headers_at is not None
        return headers_at, time.monotonic() - start, data


def test_trickle_sends_headers_at_once_then_the_body_byte_by_byte(make_emulator: Any) -> None:
    emu = make_emulator(trickle_ms=10)
    headers_at, done_at, data = _timed_raw_get(emu, "/v1/browse/new-releases")
    status, headers, body = split_response(data)
    assert status == 401 and int(headers["content-length"]) == len(body) > 30
    assert headers_at < 0.2
    assert done_at >= (len(body) - 1) * 0.010
    emu.backend.set_hostile(trickle_ms=0)
    _, done_at, _ = _timed_raw_get(emu, "/v1/browse/new-releases")
    assert done_at < 0.2


def test_trickle_applies_to_token_responses_not_admin(make_emulator: Any) -> None:
    emu = make_emulator(trickle_ms=5)
    start = time.monotonic()
    token = get_token(emu)  # gzip: ~150 bytes, 5 ms apart
    assert token and time.monotonic() - start >= 0.3
    start = time.monotonic()
    assert requests.get(emu.base_url + "/_emulator/stats", timeout=5).ok
    assert time.monotonic() - start < 0.2


# ------------------------------------------------------------ retry_after_raw
@pytest.mark.parametrize("raw", ["inf", "1e12", "Wed, 26 Nov 2026 10:00:00 GMT", "-5", ""])
def test_retry_after_raw_on_the_scripted_429(
    emulator: EmulatorServer, s: requests.Session, raw: str
) -> None:
    emulator.backend.set_hostile(retry_after_raw=raw)
    emulator.backend.script_429(after=0)
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == raw
    assert api(emulator, s, "/browse/new-releases").status_code == 200


def test_retry_after_raw_leaves_window_429s_alone(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit=0, retry_after=3, retry_after_raw="inf")
    resp = session(emu).get(emu.api_url + "/browse/new-releases", timeout=5)
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3"


def test_retry_after_raw_and_no_header_variant(
    emulator: EmulatorServer, s: requests.Session
) -> None:
    emulator.backend.set_hostile(retry_after_raw="inf")
    emulator.backend.script_429(after=0, variant="no_header")
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == 429 and "Retry-After" not in resp.headers


# ------------------------------------------------------------------ status_for
@pytest.mark.parametrize(
    ("code", "message"),
    [
        (404, "Resource not found"),
        (400, "Bad request"),
        (418, "I'm a Teapot"),
        (422, "Unprocessable Entity"),
    ],
)
def test_status_for(emulator: EmulatorServer, s: requests.Session, code: int, message: str) -> None:
    emulator.backend.set_hostile(status_for="/v1/browse", status_code=code)
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == code
    assert resp.json() == {"error": {"status": code, "message": message}}
    album = emulator.backend.catalog.new_release_ids[0]
    assert api(emulator, s, f"/albums/{album}/tracks").status_code == 200
    assert emulator.backend.stats()["requests"][-2]["endpoint"] == "new_releases"


def test_status_for_token_endpoint(emulator: EmulatorServer) -> None:
    emulator.backend.set_hostile(status_for="/api/token", status_code=503)
    resp = requests.post(emulator.token_url, data={"grant_type": "client_credentials"}, timeout=5)
    assert resp.status_code == 503
    assert resp.json() == {"error": {"status": 503, "message": "Service unavailable"}}


# ---------------------------------------------------------------- controls
def test_set_hostile_keeps_others_and_no_arguments_turn_all_off(emulator: EmulatorServer) -> None:
    backend = emulator.backend
    backend.set_hostile(total=3, loop_next=True)
    backend.set_hostile(trickle_ms=1)
    assert backend.hostile == Hostile(total=3, loop_next=True, trickle_ms=1)
    backend.set_hostile()
    assert backend.hostile == Hostile()
    with pytest.raises(ValueError, match="unknown hostile"):
        backend.set_hostile(loop=True)
    with pytest.raises(ValueError, match="status_code"):
        backend.set_hostile(status_code=200)
    with pytest.raises(ValueError, match="retry_after_raw"):
        backend.set_hostile(retry_after_raw="1\r\nX-Evil: 1")
    assert backend.hostile == Hostile()


def test_admin_route(emulator: EmulatorServer, s: requests.Session) -> None:
    url = emulator.base_url + "/_emulator/hostile"
    resp = requests.post(
        url,
        params={
            "next_base": OTHER,
            "loop_next": "true",
            "total": "3",
            "ignore_offset": "1",
            "trickle_ms": "0",
            "retry_after_raw": "1e12",
            "status_for": "/v1/search",
            "status_code": "418",
        },
        timeout=5,
    )
    assert resp.status_code == 200
    assert resp.json()["hostile"] == {
        **Hostile().as_dict(),
        "next_base": OTHER,
        "loop_next": True,
        "total": 3,
        "ignore_offset": True,
        "trickle_ms": 0.0,
        "retry_after_raw": "1e12",
        "status_for": ["/v1/search"],
        "status_code": 418,
        "shape_for": ["/"],
    }
    page = api(emulator, s, "/browse/new-releases", offset=40).json()["albums"]
    assert page["total"] == 3 and page["next"] == f"{OTHER}/browse/new-releases?offset=0&limit=20"
    assert api(emulator, s, "/search", q="x", type="album").status_code == 418
    # One at a time, and back to a plain Spotify with no parameters.
    requests.post(url, params={"total": "none", "next_base": "null"}, timeout=5)
    assert emulator.backend.hostile.total is None and emulator.backend.hostile.loop_next
    assert requests.post(url, timeout=5).json()["hostile"] == Hostile().as_dict()
    page = api(emulator, s, "/browse/new-releases", offset=40).json()["albums"]
    assert page["total"] == 100 and page["next"].startswith(emulator.api_url)


@pytest.mark.parametrize(
    "query", ["loop=1", "total=abc", "trickle_ms=-1", "status_code=302", "loop_next=maybe"]
)
def test_admin_route_rejects_bad_arguments(emulator: EmulatorServer, query: str) -> None:
    resp = requests.post(f"{emulator.base_url}/_emulator/hostile?{query}", timeout=5)
    assert resp.status_code == 400 and resp.json()["error"]


def test_options_start_hostile(s: requests.Session, make_emulator: Any) -> None:
    emu = make_emulator(total=5, next_base=OTHER)
    page = api(emu, session(emu), "/browse/new-releases").json()["albums"]
    assert page["total"] == 5 and page["next"].startswith(OTHER)
    assert set(HOSTILE_FIELDS) <= set(EmulatorOptions.__dataclass_fields__)
    with pytest.raises(ValueError, match="status_for"):
        EmulatorOptions(status_for="v1/browse")


def test_admin_is_never_hostile(make_emulator: Any) -> None:
    emu = make_emulator(status_for="/", status_code=500, trickle_ms=50)
    start = time.monotonic()
    assert requests.get(emu.base_url + "/_emulator/stats", timeout=5).status_code == 200
    assert time.monotonic() - start < 0.5
    assert requests.get(emu.api_url + "/browse/new-releases", timeout=30).status_code == 500
