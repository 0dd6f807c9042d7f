"""tap-spotify against the tutorial baseline and spotipy, on the local Spotify emulator.

The emulator runs in this process; every client runs as a subprocess, so it never
shares a GIL with the emulator and its CPU time comes from `os.wait4`. For each added
latency (50 ms, then 0 ms) and each client this records API and token requests (the
emulator's counts), wall time (spawn to exit), records written, CPU per record with
start-up aside, and for the tap the span from its first API request to its last (the
emulator's request log). Prints the tables and writes BENCHMARKS.md.

    bash scripts/bench.sh              # or: .venv/bin/python -m benchmarks.bench
    .venv/bin/python -m benchmarks.bench --releases 100 --no-markdown   # a quick try
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import user_bench
from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.catalog.model import Album

ROOT = Path(__file__).resolve().parent.parent
SEED = 0
RELEASES = 1000
LATENCIES_MS = (50.0, 0.0)
PAGE_SIZE = 50
MAX_CONCURRENCY = 8
STARTUP_REPEATS = 3
#: Runs of each short scenario (all but the sequential clients at 50 ms); the run with
#: the median CPU time is kept, so one noisy run does not decide a CPU number.
REPEATS = 3
RUN_TIMEOUT_SECONDS = 900
COMMAND = "bash scripts/bench.sh"

# The targets: requests at the lower bound in both tiers, the development tier at least
# 4x faster than the sequential baseline at 50 ms, and a goal of 20 µs of CPU per record.
DEV_SPEEDUP_TARGET = 4.0
CPU_US_TARGET = 20.0


@dataclasses.dataclass(frozen=True)
class Client:
    key: str
    label: str
    kind: str  # "tap", "baseline" or "spotipy"
    profile: str  # the emulator tier it runs against


TAP_EXTENDED = Client("tap-extended", "tap-spotify, extended", "tap", "extended")
TAP_DEVELOPMENT = Client("tap-development", "tap-spotify, development", "tap", "development")
BASELINE = Client("baseline", "tutorial baseline (requests)", "baseline", "extended")
SPOTIPY = Client("spotipy", "spotipy", "spotipy", "extended")
CLIENTS = (TAP_EXTENDED, TAP_DEVELOPMENT, BASELINE, SPOTIPY)


@dataclasses.dataclass(frozen=True)
class Expectation:
    """What one profile's catalog should yield: records per stream and fewest requests."""

    albums: int
    reachable: int
    tracks: int
    lower_bound: int

    def records(self, client: Client) -> dict[str, int]:
        if client.kind == "tap":
            return {"new_releases": self.albums, "albums": self.reachable,
                    "album_tracks": self.tracks}
        return {"new_releases": self.albums, "album_tracks": self.tracks}


@dataclasses.dataclass(frozen=True)
class Distribution:
    albums: int
    tracks: int
    over_50: int
    over_100: int
    longest: int


@dataclasses.dataclass
class Run:
    client: Client
    latency_ms: float
    expected: dict[str, int]
    lower_bound: int
    spawn: float
    exit: float
    cpu_s: float
    returncode: int
    records_by_stream: dict[str, int]
    counts: dict[str, int]
    statuses: dict[str, int]
    api_window: tuple[float, float] | None
    busy_s: float
    startup_cpu_s: float = 0.0
    cpu_samples: list[float] = dataclasses.field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return self.exit - self.spawn

    @property
    def api_requests(self) -> int:
        return sum(n for endpoint, n in self.counts.items() if endpoint != "token")

    @property
    def token_requests(self) -> int:
        return self.counts.get("token", 0)

    @property
    def records(self) -> int:
        return sum(self.records_by_stream.values())

    @property
    def records_per_s(self) -> float:
        return self.records / self.wall_s

    @property
    def cpu_us_per_record(self) -> float:
        return (self.cpu_s - self.startup_cpu_s) / max(1, self.records) * 1e6

    @property
    def api_span_s(self) -> float | None:
        return None if self.api_window is None else self.api_window[1] - self.api_window[0]

    @property
    def mean_request_s(self) -> float:
        """Mean time the emulator took per API request (latency included)."""
        return self.busy_s / max(1, self.api_requests)

    @property
    def mean_in_flight(self) -> float | None:
        """API requests in flight on average between the first and the last."""
        span = self.api_span_s
        return self.busy_s / span if span else None

    @property
    def span_target_s(self) -> float:
        """The issue's `requests x latency / max_concurrency + latency`."""
        latency = self.latency_ms / 1000
        return self.api_requests * latency / MAX_CONCURRENCY + latency

    @property
    def complete(self) -> bool:
        return self.returncode == 0 and self.records_by_stream == self.expected


# ------------------------------------------------------------------ the catalog
def emulator_options(profile: str, latency_ms: float, releases: int) -> EmulatorOptions:
    """Same seed everywhere; no back catalog, so search tag:new finds exactly the
    listed albums (all released within release_spread_days=14 of the emulator's today)."""
    return EmulatorOptions(seed=SEED, new_releases=releases, back_catalog=0,
                           profile=profile, latency_ms=latency_ms)


def extra_track_pages(tracks: int) -> int:
    """Track pages of 50 beyond the 50 tracks a full album embeds."""
    return math.ceil(max(0, tracks - 50) / 50)


def catalog_albums(emu: EmulatorServer) -> list[Album]:
    """The albums this profile's new-releases source lists."""
    backend = emu.backend
    if emu.options.profile == "development":
        return [backend.catalog.albums[i] for i in backend.tag_new_albums()]
    return backend.catalog.new_releases


def expectation(emu: EmulatorServer) -> Expectation:
    """Records a complete run yields, and the fewest requests that can fetch them:
    extended ceil(N/50) + ceil(N/20) + extra track pages; development (search pages of
    10, one GET /albums/{id} each) 1 + ceil(N/10) + N + extra track pages, the 1 being
    /browse/new-releases, whose 403 is how the tap learns the tier."""
    albums = catalog_albums(emu)
    reachable = [a for a in albums if a.available]
    n = len(albums)
    extras = sum(extra_track_pages(a.total_tracks) for a in reachable)
    if emu.options.profile == "development":
        bound = 1 + math.ceil(n / 10) + n + extras
    else:
        bound = math.ceil(n / 50) + math.ceil(n / 20) + extras
    return Expectation(albums=n, reachable=len(reachable),
                       tracks=sum(a.total_tracks for a in reachable), lower_bound=bound)


def distribution(emu: EmulatorServer) -> Distribution:
    counts = [a.total_tracks for a in emu.backend.catalog.new_releases]
    return Distribution(albums=len(counts), tracks=sum(counts),
                        over_50=sum(c > 50 for c in counts),
                        over_100=sum(c > 100 for c in counts), longest=max(counts, default=0))


# ------------------------------------------------------------------ the clients
def client_command(client: Client, emu: EmulatorServer, workdir: Path, out: Path) -> list[str]:
    python = sys.executable
    if client.kind == "tap":
        config = workdir / "config.json"
        config.write_text(json.dumps({
            "client_id": emu.options.client_id,
            "client_secret": emu.options.client_secret,
            "api_url": emu.api_url,
            "auth_url": emu.token_url,
            "page_size": PAGE_SIZE,
            "max_concurrency": MAX_CONCURRENCY,
        }))
        return [python, "-m", "tap_spotify", "--config", str(config)]
    script = "baseline_tutorial.py" if client.kind == "baseline" else "spotipy_client.py"
    return [python, str(ROOT / "benchmarks" / script), "--api-url", emu.api_url,
            "--token-url", emu.token_url, "--client-id", emu.options.client_id,
            "--client-secret", emu.options.client_secret, "--out", str(out)]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_process(cmd: Sequence[str], stdout: Path, stderr: Path, cwd: Path,
                ) -> tuple[float, float, float, int]:
    """(spawn, exit, CPU seconds of the child, exit code); kills a run that hangs."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        spawn = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                cwd=cwd, env=child_env())
        watchdog = threading.Timer(RUN_TIMEOUT_SECONDS, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        end = time.monotonic()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return spawn, end, usage.ru_utime + usage.ru_stime, proc.returncode


def count_records(lines: Iterable[bytes]) -> dict[str, int]:
    """RECORD messages per stream (Singer lines; the other clients' lines are all records)."""
    counts: Counter[str] = Counter()
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:  # a blank line, or a run cut short
            continue
        if message.get("type", "RECORD") == "RECORD":
            counts[message["stream"]] += 1
    return dict(counts)


def api_timing(requests: list[dict[str, Any]]) -> tuple[tuple[float, float] | None, float]:
    """(first API request's start, last one's end) and the sum of their durations."""
    api = [r for r in requests if r["endpoint"] != "token"]
    if not api:
        return None, 0.0
    window = min(r["start"] for r in api), max(r["end"] for r in api)
    return window, sum(r["end"] - r["start"] for r in api)


def measure(client: Client, emu: EmulatorServer, latency_ms: float,
            expected: Expectation) -> Run:
    emu.backend.reset_stats()
    with tempfile.TemporaryDirectory(prefix="tap-spotify-bench-") as tmp:
        workdir = Path(tmp)
        out, err = workdir / "records.jsonl", workdir / "stderr.txt"
        # The tap writes Singer messages on stdout; the others write `out`.
        stdout = out if client.kind == "tap" else workdir / "stdout.txt"
        cmd = client_command(client, emu, workdir, out)
        spawn, end, cpu, code = run_process(cmd, stdout, err, workdir)
        stats = emu.backend.stats()
        records: dict[str, int] = {}
        if out.exists():
            with out.open("rb") as fh:
                records = count_records(fh)
        if code != 0:
            tail = err.read_text(errors="replace").splitlines()[-15:]
            print(f"WARNING: {client.label} exited with {code}:", *tail, sep="\n  ")
    window, busy = api_timing(stats["requests"])
    return Run(client=client, latency_ms=latency_ms, expected=expected.records(client),
               lower_bound=expected.lower_bound, spawn=spawn, exit=end, cpu_s=cpu,
               returncode=code, records_by_stream=records, counts=stats["counts"],
               statuses=stats["by_status"], api_window=window, busy_s=busy)


def repeats_for(client: Client, latency_ms: float, repeats: int) -> int:
    """One run of a sequential client at 50 ms takes a minute: those run once."""
    return 1 if client.kind != "tap" and latency_ms > 0 else repeats


def measure_median(client: Client, emu: EmulatorServer, latency_ms: float,
                   expected: Expectation, repeats: int) -> Run:
    """The run with the median CPU time out of `repeats` (its CPU samples attached)."""
    runs = sorted((measure(client, emu, latency_ms, expected) for _ in range(repeats)),
                  key=lambda r: r.cpu_s)
    kept = runs[len(runs) // 2]
    kept.cpu_samples = [r.cpu_s for r in runs]
    return kept


#: Median wall seconds of each client's start-up run (filled by `startup_cpu`).
STARTUP_WALL: dict[str, float] = {}


def startup_cpu(clients: Sequence[Client]) -> dict[str, float]:
    """Median CPU seconds of each client against an emulator with 0 new releases (one
    token, one or two API requests, no records): interpreter, imports, set-up, exit.
    Their median wall time goes to STARTUP_WALL."""
    result: dict[str, float] = {}
    for profile in ("extended", "development"):
        chosen = [c for c in clients if c.profile == profile]
        if not chosen:
            continue
        with EmulatorServer(emulator_options(profile, 0.0, 0)) as emu:
            empty = expectation(emu)
            for client in chosen:
                runs = [measure(client, emu, 0.0, empty) for _ in range(STARTUP_REPEATS)]
                result[client.key] = statistics.median(r.cpu_s for r in runs)
                STARTUP_WALL[client.key] = statistics.median(r.wall_s for r in runs)
    return result


def check(run: Run) -> None:
    if run.records_by_stream != run.expected:
        print(f"WARNING: {run.client.label} at {run.latency_ms:g} ms wrote "
              f"{run.records_by_stream}, the catalog holds {run.expected}")


def report_line(run: Run) -> str:
    span = f", first-to-last API request {run.api_span_s:.2f} s" if run.api_span_s else ""
    cpus = "/".join(f"{c:.2f}" for c in run.cpu_samples)
    return (f"{run.latency_ms:>4g} ms  {run.client.label:<30} {run.api_requests:>5} API + "
            f"{run.token_requests} token requests, {run.wall_s:7.2f} s, {run.records} records, "
            f"CPU {run.cpu_s:.2f} s (runs {cpus}){span}, statuses {run.statuses}")


def run_scenarios(clients: Sequence[Client], latencies: Sequence[float], releases: int,
                  startup: dict[str, float], repeats: int) -> list[Run]:
    runs: list[Run] = []
    for latency in latencies:
        for profile in ("extended", "development"):
            chosen = [c for c in clients if c.profile == profile]
            if not chosen:
                continue
            with EmulatorServer(emulator_options(profile, latency, releases)) as emu:
                expected = expectation(emu)
                for client in chosen:
                    run = measure_median(client, emu, latency, expected,
                                         repeats_for(client, latency, repeats))
                    run.startup_cpu_s = startup.get(client.key, 0.0)
                    check(run)
                    print(report_line(run), flush=True)
                    runs.append(run)
    return runs


# ------------------------------------------------------------------ the report
def ratio(value: float | None, base: float | None, digits: int = 2) -> str:
    if value is None or not base:
        return "n/a"
    return f"{value / base:.{digits}f}x"


def vs_base(run: Run, base: Run | None, attr: str, digits: int = 2) -> str:
    """This run's number over the baseline's."""
    if base is None:
        return "n/a"
    return ratio(getattr(run, attr), getattr(base, attr), digits)


def find(runs: Sequence[Run], client: Client, latency: float) -> Run | None:
    return next((r for r in runs if r.client == client and r.latency_ms == latency), None)


def main_table(runs: Sequence[Run]) -> list[str]:
    rows = [
        "| latency | client | API requests | ÷ baseline | ÷ lower bound | token requests "
        "| wall s | ÷ baseline | records | records/s | ÷ baseline | CPU s (runs) "
        "| CPU µs/record, start-up aside | ÷ baseline |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        base = find(runs, BASELINE, run.latency_ms)
        mark = "" if run.complete else " ⚠"
        rows.append(
            f"| {run.latency_ms:g} ms | {run.client.label}{mark} | {run.api_requests} "
            f"| {vs_base(run, base, 'api_requests', 3)} "
            f"| {ratio(run.api_requests, run.lower_bound, 3)} ({run.lower_bound}) "
            f"| {run.token_requests} | {run.wall_s:.2f} "
            f"| {vs_base(run, base, 'wall_s', 3)} "
            f"| {run.records} | {run.records_per_s:,.0f} "
            f"| {vs_base(run, base, 'records_per_s')} "
            f"| {run.cpu_s:.2f} ({', '.join(f'{c:.2f}' for c in run.cpu_samples)}) "
            f"| {run.cpu_us_per_record:.1f} "
            f"| {vs_base(run, base, 'cpu_us_per_record')} |"
        )
    return rows


def span_table(runs: Sequence[Run]) -> list[str]:
    rows = [
        "| latency | client | requests by endpoint | first→last API request s "
        "| target s | ÷ target | mean request ms | mean in flight | spawn→first request s "
        "| last request→exit s | CPU ms/API request, start-up aside |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        if run.client.kind != "tap" or run.api_window is None:
            continue
        by_endpoint = ", ".join(f"{k} {v}" for k, v in run.counts.items()
                                if v and k != "token")
        rows.append(
            f"| {run.latency_ms:g} ms | {run.client.label} | {by_endpoint} "
            f"| {run.api_span_s:.3f} | {run.span_target_s:.3f} "
            f"| {ratio(run.api_span_s, run.span_target_s)} "
            f"| {run.mean_request_s * 1000:.1f} | {run.mean_in_flight or 0:.1f} "
            f"| {run.api_window[0] - run.spawn:.2f} | {run.exit - run.api_window[1]:.2f} "
            f"| {(run.cpu_s - run.startup_cpu_s) / max(1, run.api_requests) * 1000:.2f} |"
        )
    return rows


def verdicts(runs: Sequence[Run]) -> list[str]:
    """One line per target of the issue: met or not, with the measured number."""
    lines: list[str] = []

    def say(met: bool, text: str) -> None:
        lines.append(f"- **{'met' if met else 'NOT met'}**: {text}")

    for latency in sorted({r.latency_ms for r in runs}, reverse=True):
        for client in (TAP_EXTENDED, TAP_DEVELOPMENT):
            tap = find(runs, client, latency)
            if tap is not None:
                say(tap.api_requests == tap.lower_bound,
                    f"{client.label} at {latency:g} ms makes exactly the lower bound of "
                    f"requests: {tap.api_requests} requests for a bound of {tap.lower_bound}.")
        tap, base = find(runs, TAP_EXTENDED, latency), find(runs, BASELINE, latency)
        if tap is not None and base is not None:
            lines.append(f"- For reference (no target), requests of the baseline over the "
                         f"extended tier's at {latency:g} ms: "
                         f"{base.api_requests / tap.api_requests:.1f}x "
                         f"({base.api_requests} against {tap.api_requests}).")
    dev, base = find(runs, TAP_DEVELOPMENT, 50.0), find(runs, BASELINE, 50.0)
    if dev is not None and base is not None:
        speedup = base.wall_s / dev.wall_s
        say(speedup >= DEV_SPEEDUP_TARGET,
            f"development tier at 50 ms at least {DEV_SPEEDUP_TARGET:g}x faster than the "
            f"baseline (wall time): {speedup:.1f}x ({dev.wall_s:.1f} s against "
            f"{base.wall_s:.1f} s).")
    for client in (TAP_EXTENDED, TAP_DEVELOPMENT):
        run = find(runs, client, 0.0)
        if run is not None:
            per_request = (run.cpu_s - run.startup_cpu_s) / max(1, run.api_requests) * 1000
            say(run.cpu_us_per_record <= CPU_US_TARGET,
                f"(goal) {client.label} at 0 ms: at most {CPU_US_TARGET:g} µs of CPU per record, "
                f"start-up aside: {run.cpu_us_per_record:.1f} µs "
                f"({run.cpu_s:.2f} s CPU - {run.startup_cpu_s:.2f} s start-up, over "
                f"{run.records} records), or {per_request:.2f} ms per API request over "
                f"{run.api_requests} requests.")
    for latency in sorted({r.latency_ms for r in runs}, reverse=True):
        base = find(runs, BASELINE, latency)
        taps = [r for r in (find(runs, TAP_EXTENDED, latency), find(runs, TAP_DEVELOPMENT, latency))
                if r is not None]
        if base is not None and taps:
            lines.append(
                f"- For reference (no target), the baseline's wall time over the tap's at "
                f"{latency:g} ms: " + ", ".join(
                    f"{r.client.label} {base.wall_s / r.wall_s:.1f}x" for r in taps) + ".")
    incomplete = [r for r in runs if not r.complete]
    say(not incomplete, "every run wrote exactly the records its catalog holds"
        + ("." if not incomplete else ": not "
           + "; ".join(f"{r.client.label} at {r.latency_ms:g} ms ({r.records_by_stream}, "
                       f"exit {r.returncode})" for r in incomplete) + "."))
    spread = max((max(r.cpu_samples) / min(r.cpu_samples) for r in runs
                  if len(r.cpu_samples) > 1 and min(r.cpu_samples) > 0), default=1.0)
    lines.append(f"- Noise: repeated runs of one scenario differed by up to {spread:.2f}x in "
                 "CPU time in this run (column CPU s), so a CPU figure within that margin of "
                 "its target says little either way.")
    return lines


def sources_version() -> str:
    """The git commit and a hash of tap_spotify's sources (the tap changes often)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "tap_spotify").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json"):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return f"git commit {commit}, tap_spotify sources sha256 {digest.hexdigest()[:12]}"


def machine() -> list[str]:
    cpu = platform.processor() or "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(
            line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        os_name = f"{release['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
    except (OSError, KeyError):
        pass
    versions = ", ".join(f"{name} {_version(name)}"
                         for name in ("singer-sdk", "requests", "spotipy", "msgspec"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores (shared, noisy machine)",
        f"- Memory: {memory}",
        f"- OS: {os_name}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}; {versions}",
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def markdown(runs: Sequence[Run], dist: Distribution, startup: dict[str, float],
             started: datetime.datetime, elapsed: float, version: str, command: str) -> str:
    labels = {c.key: c.label for c in CLIENTS}
    startup_text = ", ".join(f"{labels[k]} {v:.2f} s of CPU, {STARTUP_WALL.get(k, 0):.2f} s "
                             "from spawn to exit" for k, v in startup.items())
    lines = [
        "# Benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` ({elapsed:.0f} s in all), "
        "in one run: the ratios below compare numbers taken minutes apart on the same machine.",
        "",
        *machine(),
        f"- Code measured: {version}",
        "",
        "## Set-up",
        "",
        f"- Emulator (in the benchmark's process, seed {SEED}, back catalog 0): "
        f"{dist.albums} new releases, {dist.tracks} tracks, {dist.over_50} albums over "
        f"50 tracks, {dist.over_100} over 100 (longest {dist.longest}); all released within "
        "14 days of the emulator's today, so search `tag:new` finds the same albums. Track "
        "counts follow the emulator's default, shaped on the 2024 recording of new releases "
        "(20 albums of 6 to 30 tracks, mean 12) with rare long albums (our assumption: 1 in "
        "200 over 50 tracks), plus counts 1, 50, 51 and 120 in every catalog. The ratio of "
        "baseline requests to the tap's depends on that share: with the emulator's earlier "
        "default (4.2% over 50 tracks) it was 9.8x at the lower bound.",
        "- A fresh emulator per latency and tier; each client runs as a subprocess, its "
        "requests counted by the emulator (token requests apart) and its CPU time taken "
        "from `os.wait4`.",
        f"- tap-spotify: page_size {PAGE_SIZE}, max_concurrency {MAX_CONCURRENCY}, "
        "new_releases_source auto (in the development tier that costs one 403 from "
        "/browse/new-releases before it turns to search).",
        "- Baseline (`benchmarks/baseline_tutorial.py`): plain `requests`, sequential: new "
        "releases 20 a page, then each album's tracks 20 a page (`GET /albums/{id}/tracks`). "
        "spotipy (`benchmarks/spotipy_client.py`): `new_releases(limit=20)`, `album_tracks` "
        "(50 a page), `next`. Both extended tier only, and both write new releases and "
        "tracks, where the tap also writes the full albums.",
        "- Lower bound of requests: extended ceil(N/50) + ceil(N/20) + sum ceil(max(0, "
        "t - 50) / 50); development 1 + ceil(N/10) + N + the same extra track pages (the 1: "
        "the 403 of /browse/new-releases that tells the tap its tier).",
        "- CPU per record, start-up aside: (CPU of the run - start-up CPU) / records, where "
        "start-up CPU is the median of "
        f"{STARTUP_REPEATS} runs of the same client against an emulator with 0 new releases "
        f"(a token and one or two requests, no records): {startup_text}.",
        f"- Every scenario runs {REPEATS} times and keeps the run with the median CPU time "
        "(all its numbers come from that run; the CPU of each run is listed), except the "
        "two sequential clients at 50 ms, which run once (a minute each).",
        "- `÷ baseline` is this client's number divided by the baseline's at the same "
        "latency; `÷ lower bound` shows the bound in brackets. ⚠ marks a run whose record "
        "counts differ from the catalog.",
        "",
        "## Results",
        "",
        *main_table(runs),
        "",
        "The tap's requests in time (emulator's request log; target = requests x latency / "
        "max_concurrency + latency):",
        "",
        *span_table(runs),
        "",
        "## Reading",
        "",
        *verdicts(runs),
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ entry point
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=RELEASES,
                        help="new releases in the catalog (default %(default)s)")
    parser.add_argument("--latency", type=float, action="append", dest="latencies",
                        help="added latency in ms, repeatable (default 50 and 0)")
    parser.add_argument("--repeats", type=int, default=REPEATS,
                        help="runs per short scenario, median CPU kept (default %(default)s)")
    parser.add_argument("--clients", default=",".join(c.key for c in CLIENTS),
                        help="comma list out of %(default)s")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md",
                        help="report to write (default %(default)s)")
    parser.add_argument("--no-markdown", action="store_true", help="print only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = set(args.clients.split(","))
    clients = [c for c in CLIENTS if c.key in wanted]
    latencies = args.latencies or list(LATENCIES_MS)
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.monotonic()
    version = sources_version()
    with EmulatorServer(emulator_options("extended", 0.0, args.releases)) as emu:
        dist = distribution(emu)
    print(f"catalog: {dist.albums} albums, {dist.tracks} tracks, {dist.over_50} over 50 "
          f"tracks, {dist.over_100} over 100", flush=True)
    startup = startup_cpu(clients)
    print("start-up CPU (0 new releases, median of "
          f"{STARTUP_REPEATS}): " + ", ".join(f"{k} {v:.3f} s" for k, v in startup.items()))
    runs = run_scenarios(clients, latencies, args.releases, startup, max(1, args.repeats))
    if sources_version() != version:
        print("WARNING: tap_spotify changed while the benchmark ran; run it again")
        version += " (CHANGED during the run: numbers mix two versions)"
    command = " ".join([COMMAND, *(argv if argv is not None else sys.argv[1:])])
    report = markdown(runs, dist, startup, started, time.monotonic() - t0, version, command)
    report += "\n".join(["", "## User streams", "",
                         "Requests per user stream against the emulator's listener "
                         "(`benchmarks/user_bench.py`): a first run, then a quiet daily "
                         "run with the first run's state and nothing new.", "",
                         *user_bench.measure(), ""])
    history = ROOT / "benchmarks" / "history_results.md"
    if history.exists():  # bench.sh runs benchmarks/history_bench.py first
        report += "\n" + history.read_text(encoding="utf-8")
    print("\n" + report.split("## Results\n", 1)[1])
    if not args.no_markdown:
        args.markdown.write_text(report, encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
