"""Concurrent clients, HTTP/1.1 keep-alive and no Nagle/delayed-ACK stalls."""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import get_token, session


def test_sixteen_clients_at_once(emulator: EmulatorServer) -> None:
    ids = emulator.backend.catalog.new_release_ids
    barrier = threading.Barrier(16)

    def client(n: int) -> list[int]:
        s = session(emulator)
        barrier.wait()
        codes = []
        for i in range(10):
            album = ids[(n * 10 + i) % len(ids)]
            codes.append(s.get(f"{emulator.api_url}/albums/{album}/tracks", timeout=10).status_code)
            codes.append(
                s.get(
                    f"{emulator.api_url}/browse/new-releases?offset={i * 10}", timeout=10
                ).status_code
            )
        return codes

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(client, range(16)))
    flat = [c for r in results for c in r]
    unavailable = {a.id for a in emulator.backend.catalog.new_releases if not a.available}
    expected_404 = sum(
        1 for n in range(16) for i in range(10) if ids[(n * 10 + i) % len(ids)] in unavailable
    )
    assert flat.count(404) == expected_404 and flat.count(200) == len(flat) - expected_404
    counts = emulator.backend.stats()["counts"]
    assert counts["token"] == 16 and counts["album_tracks"] == 160 and counts["new_releases"] == 160
    # Requests really overlapped in time.
    log = emulator.backend.stats()["requests"]
    spans = sorted((e["start"], e["end"]) for e in log)
    assert len(log) == 336 and spans


def test_concurrent_rate_limit_is_exact(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit=50, rate_limit_window=30)
    token = get_token(emu)

    def client(_: int) -> list[int]:
        conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
        codes = []
        for _ in range(10):
            conn.request(
                "GET",
                "/v1/browse/new-releases?limit=1",
                headers={"Authorization": f"Bearer {token}"},
            )
            resp = conn.getresponse()
            resp.read()
            codes.append(resp.status)
        conn.close()
        return codes

    with ThreadPoolExecutor(16) as pool:
        flat = [c for r in pool.map(client, range(16)) for c in r]
    assert flat.count(200) == 50 and flat.count(429) == 110


def test_keep_alive_has_no_nagle_stall(emulator: EmulatorServer) -> None:
    """200 sequential requests on one connection: mean well under 5 ms."""
    token = get_token(emulator)
    album = emulator.backend.catalog.new_release_ids[0]
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=5)
    headers = {"Authorization": f"Bearer {token}"}
    conn.request("GET", f"/v1/albums/{album}/tracks", headers=headers)
    conn.getresponse().read()
    sock = conn.sock
    start = time.perf_counter()
    for i in range(200):
        path = f"/v1/albums/{album}/tracks" if i % 2 else "/v1/browse/new-releases?limit=50"
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200
    mean_ms = (time.perf_counter() - start) / 200 * 1000
    assert conn.sock is sock  # one connection throughout
    conn.close()
    assert mean_ms < 5, f"mean {mean_ms:.2f} ms per keep-alive request"


def test_connection_close_honoured(emulator: EmulatorServer) -> None:
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=5)
    conn.request("GET", "/_emulator/stats", headers={"Connection": "close"})
    resp = conn.getresponse()
    assert resp.getheader("Connection") == "close"
    resp.read()
    conn.close()


def test_stop_closes_idle_keep_alive_connections() -> None:
    emu = EmulatorServer().start()
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    conn.request("GET", "/_emulator/stats")
    conn.getresponse().read()
    start = time.monotonic()
    emu.stop()
    assert time.monotonic() - start < 2
    assert conn.sock is not None and conn.sock.recv(1) == b""  # server closed its end
    conn.close()
