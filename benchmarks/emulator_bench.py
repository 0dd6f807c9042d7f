"""Benchmark the Spotify emulator: catalog generation, server time, concurrent throughput.

Usage: ``python benchmarks/emulator_bench.py [--albums 10000] [--requests 2000]``

The server runs in a subprocess (``python -m spotify_emulator``) so that the
benchmark's own client threads do not share its GIL; server-side time per
request comes from the emulator's request log (``/_emulator/stats``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spotify_emulator import EmulatorOptions  # noqa: E402
from spotify_emulator.catalog.generate import generate_catalog  # noqa: E402


def bench_generation(albums: int) -> tuple[float, int]:
    start = time.perf_counter()
    catalog = generate_catalog(EmulatorOptions(new_releases=albums, back_catalog=0))
    elapsed = time.perf_counter() - start
    return elapsed, sum(a.total_tracks for a in catalog.albums.values())


class Emulator:
    """The CLI emulator in a subprocess, stopped with SIGTERM."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "spotify_emulator", "--port", "0", "--lifetime", "600", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.api_url = self.proc.stdout.readline().strip().split("=", 1)[1]
        self.token_url = self.proc.stdout.readline().strip().split("=", 1)[1]
        parts = urlsplit(self.api_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = self.conn()
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def token(self) -> str:
        status, data = self.call(
            "POST",
            "/api/token",
            "grant_type=client_credentials&client_id=emulator-client&client_secret=emulator-secret",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200, data
        return str(json.loads(data)["access_token"])

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = json.loads(self.call("GET", "/_emulator/stats")[1])
        return stats

    def reset(self) -> None:
        self.call("POST", "/_emulator/reset")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)


def _paths(album_ids: list[str]) -> list[str]:
    paths = []
    for i, album in enumerate(album_ids):
        paths.append(f"/v1/albums/{album}/tracks?limit=50")
        paths.append(f"/v1/browse/new-releases?limit=50&offset={(i * 50) % 100}")
        paths.append(f"/v1/albums/{album}")
    return paths


def bench_sequential(emu: Emulator, token: str, paths: list[str], n: int) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"}
    conn = emu.conn()
    for path in paths[:20]:  # warm the render caches
        conn.request("GET", path, headers=headers)
        conn.getresponse().read()
    emu.reset()
    start = time.perf_counter()
    for i in range(n):
        conn.request("GET", paths[i % len(paths)], headers=headers)
        conn.getresponse().read()
    elapsed = time.perf_counter() - start
    conn.close()
    log = emu.stats()["requests"]
    server = sorted((e["end"] - e["start"]) * 1000 for e in log)
    return {
        "client_mean_ms": elapsed / n * 1000,
        "server_median_ms": statistics.median(server),
        "server_p99_ms": server[int(len(server) * 0.99) - 1],
    }


def bench_concurrent(
    emu: Emulator, token: str, paths: list[str], clients: int, per: int
) -> tuple[float, list[int]]:
    headers = {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(clients + 1)
    errors: list[int] = []

    def client(n: int) -> None:
        conn = emu.conn()
        barrier.wait()
        for i in range(per):
            conn.request("GET", paths[(n * per + i) % len(paths)], headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                errors.append(resp.status)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return clients * per / elapsed, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--albums", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=250)
    args = parser.parse_args()

    gen_s, tracks = bench_generation(args.albums)
    emu = Emulator("--new-releases", "100", "--request-log-limit", str(max(args.requests, 10_000)))
    try:
        token = emu.token()
        catalog = json.loads(emu.call("GET", "/_emulator/catalog")[1])
        ids = [i for i in catalog["new_releases"] if catalog["albums"][i]["available"]]
        paths = _paths(ids)
        seq = bench_sequential(emu, token, paths, args.requests)
        rps, errors = bench_concurrent(emu, token, paths, args.clients, args.per_client)
    finally:
        emu.stop()

    rows = [
        (f"catalog generation, {args.albums:,} albums ({tracks:,} tracks)", f"{gen_s:.2f} s"),
        ("server time per request, median", f"{seq['server_median_ms']:.3f} ms"),
        ("server time per request, p99", f"{seq['server_p99_ms']:.3f} ms"),
        ("keep-alive round trip, 1 client, mean", f"{seq['client_mean_ms']:.3f} ms"),
        (f"throughput, {args.clients} keep-alive clients", f"{rps:,.0f} req/s"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    print(
        f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs; non-200 answers: {len(errors)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
