"""The HTTP layer: gzip as Spotify sends it, http.server's parsing, the route table."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import socket
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from spotify_emulator.catalog.handlers import HANDLERS
from spotify_emulator.http.admin import ADMIN_HANDLERS
from spotify_emulator.http.compression import accepts_gzip
from spotify_emulator.http.routes import ADMIN_URLS, API_URLS, resolve
from tests.emulator.helpers import get_token, raw_request, session, split_response


# ------------------------------------------------------------------------ gzip
def test_gzip_when_accepted(emulator: EmulatorServer) -> None:
    token = get_token(emulator)
    path = "/v1/browse/new-releases?limit=50"
    plain_data, _ = raw_request(emulator, path, token)
    packed_data, _ = raw_request(emulator, path, token, headers={"Accept-Encoding": "gzip"})
    status, plain_headers, plain = split_response(plain_data)
    assert status == 200 and "content-encoding" not in plain_headers
    assert int(plain_headers["content-length"]) == len(plain)
    status, headers, packed = split_response(packed_data)
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == len(packed) < len(plain) / 3
    assert gzip.decompress(packed) == plain
    assert headers["content-type"] == "application/json; charset=utf-8"


def test_gzip_for_errors_and_tokens_too(emulator: EmulatorServer) -> None:
    resp = requests.get(emulator.api_url + "/browse/new-releases", timeout=5)
    assert resp.status_code == 401 and resp.headers["Content-Encoding"] == "gzip"
    assert resp.json()["error"]["message"] == "No token provided"
    opts = emulator.options
    resp = requests.post(
        emulator.token_url,
        data={"grant_type": "client_credentials"},
        auth=(opts.client_id, opts.client_secret),
        timeout=5,
    )
    assert resp.headers["Content-Encoding"] == "gzip" and resp.json()["access_token"]


def test_requests_decodes_transparently(emulator: EmulatorServer) -> None:
    s = session(emulator)
    resp = s.get(emulator.api_url + "/browse/new-releases", timeout=5)
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.json()["albums"]["total"] == 100


def test_identity_without_accept_encoding_and_for_admin(emulator: EmulatorServer) -> None:
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=5)
    conn.request("GET", "/v1/browse/new-releases")  # http.client says identity
    raw = conn.getresponse()
    assert raw.getheader("Content-Encoding") is None and b"No token" in raw.read()
    conn.close()
    admin = requests.get(emulator.base_url + "/_emulator/stats", timeout=5)
    assert "Content-Encoding" not in admin.headers


def test_empty_429_is_not_compressed(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit=0, rate_limit_variant="empty")
    resp = session(emu).get(emu.api_url + "/browse/new-releases", timeout=5)
    assert resp.status_code == 429 and resp.content == b""
    assert "Content-Encoding" not in resp.headers


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate", True),
        ("deflate, GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("br, deflate", False),
        ("identity", False),
        ("", False),
        (None, False),
    ],
)
def test_accept_encoding_parsing(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


# ------------------------------------------------------------------ http.server
def test_head_has_headers_but_no_body(emulator: EmulatorServer) -> None:
    data, ending = raw_request(emulator, "/v1/browse/new-releases", method="HEAD")
    status, headers, body = split_response(data)
    assert ending == "eof" and status == 401 and body == b""
    assert int(headers["content-length"]) > 0


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /v1/albums HTTP/9.x\r\n\r\n", 400),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /v1/albums HTTP/2.0\r\n\r\n", 505),
        (b"GET /v1/albums HTTP/1.1\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
)
def test_malformed_requests_get_a_json_error(
    emulator: EmulatorServer, request_bytes: bytes, status: int
) -> None:
    with socket.create_connection((emulator.host, emulator.port), timeout=5) as sock:
        sock.sendall(request_bytes)
        data = b""
        # Closing with the rest of a huge request unread may end in a RST: fine.
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                data += chunk
    got, headers, body = split_response(data)
    assert got == status and headers["connection"] == "close"
    assert json.loads(body)["error"]["status"] == status


@pytest.mark.parametrize(
    ("headers", "status"),
    [({"Transfer-Encoding": "chunked"}, 411), ({"Content-Length": "lots"}, 400)],
)
def test_bodies_need_a_valid_content_length(
    emulator: EmulatorServer, headers: dict[str, str], status: int
) -> None:
    data, _ = raw_request(emulator, "/api/token", method="POST", headers=headers)
    got, response_headers, body = split_response(data)
    assert got == status and response_headers["connection"] == "close"
    assert json.loads(body)["error"]["status"] == status


def test_unsupported_method_is_501(emulator: EmulatorServer) -> None:
    data, _ = raw_request(emulator, "/v1/albums", method="BREW")
    status, headers, body = split_response(data)
    assert status == 501 and headers["connection"] == "close"
    assert b'"status":501' in body


def test_http_1_0_keep_alive(emulator: EmulatorServer) -> None:
    with socket.create_connection((emulator.host, emulator.port), timeout=5) as sock:
        for _ in range(2):
            sock.sendall(b"GET /_emulator/stats HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            _, headers, body = split_response(data)
            while len(body) < int(headers["content-length"]):
                body += sock.recv(65536)
            assert headers.get("connection") != "close"


def test_server_header_and_date(emulator: EmulatorServer) -> None:
    resp = requests.get(emulator.base_url + "/_emulator/stats", timeout=5)
    assert resp.headers["Server"] == "spotify-emulator" and resp.headers["Date"]


# ------------------------------------------------------------------ route table
def test_every_route_has_a_handler() -> None:
    api = {r.handler for r in API_URLS} - {"token"}
    assert api == set(HANDLERS)
    assert {r.handler for r in ADMIN_URLS} == set(ADMIN_HANDLERS)


def test_resolve() -> None:
    album = "a" * 22
    found = resolve(API_URLS, "GET", f"/v1/albums/{album}/tracks/")
    assert found is not None and found.handler == "album_tracks" and found.allowed
    assert found.params == {"album_id": album}
    wrong = resolve(API_URLS, "DELETE", "/v1/albums")
    assert wrong is not None and wrong.handler == "several_albums" and not wrong.allowed
    assert resolve(API_URLS, "GET", "/v1/nope") is None
    assert resolve(ADMIN_URLS, "POST", "/_emulator/hostile").handler == "hostile"  # type: ignore[union-attr]


def test_wrong_method_is_405_after_auth(emulator: EmulatorServer) -> None:
    s = session(emulator)
    assert s.delete(emulator.api_url + "/browse/new-releases", timeout=5).status_code == 405
    assert requests.delete(emulator.api_url + "/browse/new-releases", timeout=5).status_code == 401
    assert requests.get(emulator.token_url, timeout=5).status_code == 405
    assert requests.get(emulator.base_url + "/_emulator/reset", timeout=5).status_code == 404


def test_ipv6_loopback() -> None:
    try:
        emu = EmulatorServer(host="::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with emu:
        assert emu.base_url == f"http://[::1]:{emu.port}"
        assert requests.get(emu.base_url + "/_emulator/stats", timeout=5).ok
