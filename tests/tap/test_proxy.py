"""HTTP(S)_PROXY from the environment carries the token request and every API request."""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.tap.conftest import tap_config

PROXY_USER, PROXY_PASSWORD = "proxy-user", "p@ss word"


class _ForwardingProxy(BaseHTTPRequestHandler):
    """A plain HTTP proxy: forwards absolute-URI requests and notes what it saw."""

    seen: list[tuple[str, str, str | None]]

    def _forward(self) -> None:
        self.seen.append((self.command, self.path, self.headers.get("Proxy-Authorization")))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("proxy-authorization", "proxy-connection", "host")}
        request = urllib.request.Request(self.path, data=body, headers=headers,
                                         method=self.command)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        payload = response.read()
        self.send_response(response.status)
        for key, value in response.headers.items():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list]]:
    seen: list[tuple[str, str, str | None]] = []
    handler = type("Handler", (_ForwardingProxy,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{server.server_address[0]}:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_proxy_from_the_environment_carries_every_request(make_emulator, tap_run, proxy):
    proxy_url, seen = proxy
    emu = make_emulator(new_releases=30)
    user_info = f"{PROXY_USER}:{urllib.parse.quote(PROXY_PASSWORD)}@"
    with_user = proxy_url.replace("http://", f"http://{user_info}")
    env = {"HTTP_PROXY": with_user, "http_proxy": with_user, "NO_PROXY": "", "no_proxy": ""}

    run = tap_run(tap_config(emu), env=env)

    assert run.returncode == 0, run.stderr
    assert len(run.ids("new_releases")) == 30
    counts = emu.backend.stats()["counts"]
    through_proxy = Counter("token" if path.endswith("/api/token") else "api"
                            for _, path, _ in seen)
    assert through_proxy["token"] == counts["token"] == 1
    assert through_proxy["api"] == sum(counts.values()) - counts["token"] > 0
    expected = "Basic " + base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()
    assert {auth for _, _, auth in seen} == {expected}
