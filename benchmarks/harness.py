"""What every catalog benchmark shares: the clients, the emulator's catalog and what a
complete run of each client yields from it, and one measured run.

The emulator runs in the benchmark's process; every client runs as a subprocess, so it
never shares a GIL with the emulator, and its CPU time and peak memory come from
`os.wait4` (started by spawner.py, so that the peak is the client's own). A run that
exits non-zero, or writes other record counts than the catalog holds, raises
`BenchFailure`; so does a comparison client that makes other requests than it should
(the comparisons are like for like only if it makes exactly those).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.catalog.model import Album

ROOT = Path(__file__).resolve().parent.parent
SEED = 0
PAGE_SIZE = 50
MAX_CONCURRENCY = 8
RUN_TIMEOUT_SECONDS = 900
TAP_MARKET = "ES"


class BenchFailure(Exception):
    """A client run that failed, or did not do what the benchmark counts on."""


@dataclasses.dataclass(frozen=True)
class Client:
    key: str
    label: str
    kind: str  # "tap", "minimal", "expert" or "tutorial"
    profile: str = "extended"  # the emulator tier it runs against
    market: str | None = None  # the tap's `market` setting


TAP = Client("tap", "tap-spotify", "tap")
TAP_MARKET_SET = Client("tap-market", f"tap-spotify, market {TAP_MARKET}", "tap",
                        market=TAP_MARKET)
MINIMAL = Client("minimal", "minimal concurrent client", "minimal")
EXPERT = Client("spotipy-expert", "spotipy, batched (expert)", "expert")
TAP_DEV = Client("tap-dev", "tap-spotify, development tier", "tap", "development")
TUTORIAL_DEV = Client("tutorial-dev", "tutorial baseline, sequential", "tutorial",
                      "development")

SCRIPTS = {"minimal": "minimal_client.py", "expert": "spotipy_expert.py",
           "tutorial": "baseline_tutorial.py"}


def extra_track_pages(tracks: int) -> int:
    """Track pages of 50 beyond the 50 tracks a full album embeds."""
    return math.ceil(max(0, tracks - 50) / 50)


@dataclasses.dataclass(frozen=True)
class Catalog:
    """What one emulator's catalog holds, and what a complete run makes of it."""

    profile: str
    albums: int  # listed
    reachable: int  # listed and still available
    tracks: int  # of the reachable albums
    over_50: int
    longest: int
    lower_bound: int  # the fewest requests that fetch it all (the tap's streams)
    tutorial_requests: int  # what the sequential tutorial client makes (20 tracks a page)

    def records(self, client: Client) -> dict[str, int]:
        """Records per stream a complete run of `client` writes (streams with none left
        out, as counted)."""
        counts = {"new_releases": self.albums, "albums": self.reachable,
                  "album_tracks": self.tracks}
        if client.kind == "tutorial":
            del counts["albums"]
        return {stream: n for stream, n in counts.items() if n}

    def requests(self, client: Client) -> int:
        return self.tutorial_requests if client.kind == "tutorial" else self.lower_bound

    @property
    def total_records(self) -> int:
        return self.albums + self.reachable + self.tracks


def emulator_options(profile: str, latency_ms: float, albums: int) -> EmulatorOptions:
    """Same seed everywhere; no back catalog, so search tag:new finds exactly the listed
    albums (all released within release_spread_days=14 of the emulator's today)."""
    return EmulatorOptions(seed=SEED, new_releases=albums, back_catalog=0, profile=profile,
                           latency_ms=latency_ms)


def listed_albums(emu: EmulatorServer) -> list[Album]:
    """The albums this tier's source of new releases lists."""
    backend = emu.backend
    if emu.options.profile == "development":
        return [backend.catalog.albums[i] for i in backend.tag_new_albums()]
    return list(backend.catalog.new_releases)


def catalog_of(emu: EmulatorServer) -> Catalog:
    """Extended tier: ceil(N/50) listing pages + ceil(N/20) `GET /albums?ids=` + the extra
    track pages. Development tier: 1 (the 403 of /browse/new-releases that tells the tap
    its tier) + ceil(N/10) search pages + N `GET /albums/{id}` + the extra track pages.
    The tutorial client: its listing pages, then every album's tracks 20 a page."""
    albums = listed_albums(emu)
    reachable = [a for a in albums if a.available]
    n = len(albums)
    extras = sum(extra_track_pages(a.total_tracks) for a in reachable)
    if emu.options.profile == "development":
        bound = 1 + math.ceil(n / 10) + n + extras
        listing = math.ceil(n / 10)
    else:
        bound = math.ceil(n / 50) + math.ceil(n / 20) + extras
        listing = math.ceil(n / 20)
    tutorial = (max(1, listing) + sum(max(1, math.ceil(a.total_tracks / 20)) for a in reachable)
                + (n - len(reachable)))
    counts = [a.total_tracks for a in reachable]
    return Catalog(profile=emu.options.profile, albums=n, reachable=len(reachable),
                   tracks=sum(counts), over_50=sum(c > 50 for c in counts),
                   longest=max(counts, default=0), lower_bound=bound,
                   tutorial_requests=tutorial)


# ------------------------------------------------------------------ running a client
def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = str(ROOT)
    return env


def tap_config(emu: EmulatorServer, market: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "client_id": emu.options.client_id,
        "client_secret": emu.options.client_secret,
        "api_url": emu.api_url,
        "auth_url": emu.token_url,
        "page_size": PAGE_SIZE,
        "max_concurrency": MAX_CONCURRENCY,
    }
    if market:
        config["market"] = market
    return config


def client_command(client: Client, emu: EmulatorServer, workdir: Path, out: Path,
                   ) -> list[str]:
    python = sys.executable
    if client.kind == "tap":
        config = workdir / "config.json"
        config.write_text(json.dumps(tap_config(emu, client.market)))
        return [python, "-m", "tap_spotify", "--config", str(config)]
    cmd = [python, str(ROOT / "benchmarks" / SCRIPTS[client.kind]),
           "--api-url", emu.api_url, "--token-url", emu.token_url,
           "--client-id", emu.options.client_id, "--client-secret", emu.options.client_secret,
           "--out", str(out)]
    if client.kind == "tutorial" and client.profile == "development":
        cmd += ["--listing", "search"]
    return cmd


@dataclasses.dataclass
class Process:
    spawn: float
    exit: float
    cpu_s: float
    maxrss_mb: float
    returncode: int
    load: float  # 1-minute load average when it started

    @property
    def wall_s(self) -> float:
        return self.exit - self.spawn


class Spawner:
    """The small process that starts every run (spawner.py says why), started once."""

    _proc: subprocess.Popen[str] | None = None
    _lock = threading.Lock()

    @classmethod
    def run(cls, request: dict[str, Any]) -> dict[str, Any]:
        with cls._lock:
            if cls._proc is None or cls._proc.poll() is not None:
                cls._proc = subprocess.Popen(
                    [sys.executable, str(ROOT / "benchmarks" / "spawner.py")],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert cls._proc.stdin is not None and cls._proc.stdout is not None
            cls._proc.stdin.write(json.dumps(request) + "\n")
            cls._proc.stdin.flush()
            answer = cls._proc.stdout.readline()
        if not answer:
            raise BenchFailure("the spawner process ended")
        result: dict[str, Any] = json.loads(answer)
        if "error" in result:
            raise BenchFailure(f"{' '.join(request['cmd'])}: {result['error']}")
        return result


def run_process(cmd: Sequence[str], stdout: Path, stderr: Path, cwd: Path) -> Process:
    """Spawn to exit, the run's CPU (user + system) and peak RSS from os.wait4 (taken by
    the spawner); a run that hangs is killed."""
    result = Spawner.run({"cmd": list(cmd), "stdout": str(stdout), "stderr": str(stderr),
                          "cwd": str(cwd), "env": child_env(),
                          "timeout": RUN_TIMEOUT_SECONDS})
    return Process(result["spawn"], result["exit"], result["cpu_s"], result["maxrss_mb"],
                   result["returncode"], result["load"])


class Line(msgspec.Struct):
    """What counting needs of an output line (the rest is skipped unparsed)."""

    stream: str | None = None
    type: str = "RECORD"  # the comparison clients' lines are all records


def count_records(lines: Iterable[bytes]) -> dict[str, int]:
    """RECORD messages per stream, Singer lines or the comparison clients' lines."""
    decode = msgspec.json.Decoder(Line).decode
    counts: Counter[str] = Counter()
    for raw in lines:
        if not raw.strip():
            continue
        line = decode(raw)
        if line.type == "RECORD" and line.stream is not None:
            counts[line.stream] += 1
    return dict(counts)


@dataclasses.dataclass
class Run:
    client: Client
    albums: int
    latency_ms: float
    round: int
    process: Process
    records_by_stream: dict[str, int]
    counts: dict[str, int]  # requests by endpoint (token apart), the emulator's
    token_requests: int
    api_window: tuple[float, float] | None  # first API request's start, last one's end

    @property
    def wall_s(self) -> float:
        return self.process.wall_s

    @property
    def cpu_s(self) -> float:
        return self.process.cpu_s

    @property
    def load(self) -> float:
        return self.process.load

    @property
    def api_requests(self) -> int:
        return sum(self.counts.values())

    @property
    def records(self) -> int:
        return sum(self.records_by_stream.values())

    @property
    def to_first_request_s(self) -> float | None:
        return None if self.api_window is None else self.api_window[0] - self.process.spawn

    @property
    def requests_span_s(self) -> float | None:
        return None if self.api_window is None else self.api_window[1] - self.api_window[0]

    @property
    def after_last_request_s(self) -> float | None:
        return None if self.api_window is None else self.process.exit - self.api_window[1]


def measure(client: Client, emu: EmulatorServer, catalog: Catalog, round_: int = 0) -> Run:
    """One run of `client` against `emu`, checked: exit 0, the catalog's record counts,
    one token request, and for the comparison clients exactly their requests."""
    emu.backend.reset_stats()
    latency = emu.backend.latency_ms
    with tempfile.TemporaryDirectory(prefix="tap-spotify-bench-") as tmp:
        workdir = Path(tmp)
        out, err = workdir / "records.jsonl", workdir / "stderr.txt"
        # The tap writes Singer messages on stdout; the others write `out`.
        stdout = out if client.kind == "tap" else workdir / "stdout.txt"
        cmd = client_command(client, emu, workdir, out)
        process = run_process(cmd, stdout, err, workdir)
        stats = emu.backend.stats()
        records: dict[str, int] = {}
        problem = ""
        if out.exists():
            with out.open("rb") as fh:
                try:
                    records = count_records(fh)
                except msgspec.DecodeError as exc:
                    problem = f"an output line is not JSON ({exc})"
        tail = err.read_text(errors="replace").splitlines()[-15:]
    counts = {k: v for k, v in stats["counts"].items() if v and k != "token"}
    api = [r for r in stats["requests"] if r["endpoint"] != "token"]
    window = (min(r["start"] for r in api), max(r["end"] for r in api)) if api else None
    run = Run(client=client, albums=catalog.albums, latency_ms=latency, round=round_,
              process=process, records_by_stream=records, counts=counts,
              token_requests=stats["counts"].get("token", 0), api_window=window)
    expected = catalog.records(client)
    if process.returncode != 0:
        problem = f"exited with {process.returncode}"
    elif not problem and records != expected:
        problem = f"wrote {records}, the catalog holds {expected}"
    elif run.token_requests != 1:
        problem = f"asked for {run.token_requests} tokens, not 1"
    elif (client.kind != "tap" and catalog.albums
          and run.api_requests != catalog.requests(client)):
        problem = (f"made {run.api_requests} API requests ({counts}), not the "
                   f"{catalog.requests(client)} it is described as making")
    if problem:
        raise BenchFailure(f"{client.label}, {catalog.albums} albums, {latency:g} ms: "
                           f"{problem}\n  " + "\n  ".join(tail))
    return run


def rotate(items: Sequence[Client], by: int) -> list[Client]:
    """The clients in turn: round r starts with the r-th, so none always goes first."""
    by %= len(items)
    return [*items[by:], *items[:by]]
