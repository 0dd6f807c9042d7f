"""tap-spotify against the fastest clients we could write, on the local Spotify emulator.

Every figure comes from one run of this script, clients side by side (harness.py: the
emulator in this process, each client a subprocess, its CPU and peak memory from
os.wait4, every run checked for exact record counts against the emulator's catalog):

1. Catalog, extended tier, 50 ms added per request, 200 / 1,000 / 5,000 albums: the tap,
   the minimal concurrent client (minimal_client.py: plain requests, 8 threads) and
   spotipy batched as an expert would (spotipy_expert.py), all three making the same
   requests, at the lower bound. Each catalog size has its emulator, warmed up with one
   untimed run at 0 ms; then REPEATS rounds, each running the three in turn (each round
   starts with the next client). Wall time is spawn to exit; a ratio is taken within a
   round (adjacent runs) and the median of the rounds is kept.
2. CPU per record at 0 ms, extended tier: (CPU of a run on the 1,000-album, then the
   5,000-album catalog - CPU of a run on an empty catalog) / records written, the two
   runs taken one after the other, for the tap without `market`, the tap with `market`
   ES and the two comparison clients; median of the rounds.
3. Start-up: `tap-spotify --about` and the import-time groups (startup.py).
4. Development tier, 50 ms, DEV_ALBUMS albums: the tap against the tutorial-style
   sequential client (baseline_tutorial.py, new albums from search as a Development Mode
   app must), in turn, REPEATS rounds.
5. Where the tap's main thread spends its CPU (profile_tap.py), the user streams'
   requests (user_bench.py) and the downloaded history (history_bench.py, run first by
   scripts/bench.sh; its table is copied in).

Prints everything and rewrites BENCHMARKS.md; any failed or incomplete client run stops
it with exit status 1 and writes nothing.

    bash scripts/bench.sh                          # everything, history first (~20 min)
    .venv/bin/python -m benchmarks.bench --quick   # a smaller try (~1 min), prints only
    .venv/bin/python -m benchmarks.bench --sizes 1000 --repeats 1 --no-markdown
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from benchmarks import profile_tap, startup, user_bench
from benchmarks.harness import (
    EXPERT,
    MAX_CONCURRENCY,
    MINIMAL,
    PAGE_SIZE,
    ROOT,
    SEED,
    TAP,
    TAP_DEV,
    TAP_MARKET,
    TAP_MARKET_SET,
    TUTORIAL_DEV,
    BenchFailure,
    Catalog,
    Client,
    Run,
    catalog_of,
    emulator_options,
    measure,
    rotate,
    run_process,
)
from spotify_emulator import EmulatorServer

COMMAND = "bash scripts/bench.sh"
LATENCY_MS = 50.0


@dataclasses.dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...] = (200, 1000, 5000)
    cpu_sizes: tuple[int, ...] = (1000, 5000)
    dev_albums: int = 1000
    repeats: int = 3
    about_runs: int = 10
    import_runs: int = 5
    profile_albums: int = 5000


QUICK = Plan(sizes=(200,), cpu_sizes=(500,), dev_albums=100, repeats=1, about_runs=3,
             import_runs=1, profile_albums=500)

# The targets.
TAP_OVER_MINIMAL_MAX = {1000: 1.5}  # the tap's wall time over the minimal client's
EXPERT_OVER_TAP_MIN = {200: 2.0, 1000: 3.0, 5000: 3.0}  # spotipy-expert's over the tap's
CPU_US_TARGET = 35.0  # the tap without market, start-up aside, extended tier, 0 ms
ABOUT_TARGET_S = 0.3  # median wall time of `tap-spotify --about`
DEV_SPEEDUP_TARGET = 6.0  # the tutorial client's wall time over the tap's, development tier

CATALOG_CLIENTS = (TAP, MINIMAL, EXPERT)
CPU_CLIENTS = (TAP, TAP_MARKET_SET, MINIMAL, EXPERT)
DEV_CLIENTS = (TAP_DEV, TUTORIAL_DEV)


def say(text: str) -> None:
    print(text, flush=True)


def run_line(run: Run) -> str:
    return (f"  {run.latency_ms:>3g} ms {run.albums:>5} albums, round {run.round + 1}: "
            f"{run.client.label:<30} {run.api_requests:>5} requests, {run.wall_s:6.2f} s, "
            f"CPU {run.cpu_s:5.2f} s, {run.records:>6} records, load {run.load:.1f}")


def loads(runs: Sequence[Run]) -> str:
    return f"{min(r.load for r in runs):.1f}-{max(r.load for r in runs):.1f}"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def listing(values: Sequence[float], fmt: str = ".2f") -> str:
    return ", ".join(format(v, fmt) for v in values)


# ------------------------------------------------------------------ 1. catalog wall time
@dataclasses.dataclass
class Scenario:
    """The runs of several clients on one emulator, in rounds."""

    catalog: Catalog
    runs: dict[str, list[Run]]

    def of(self, client: Client) -> list[Run]:
        return self.runs[client.key]

    def ratios(self, top: Client, bottom: Client, attr: str = "wall_s") -> list[float]:
        """top's figure over bottom's, round by round."""
        return [getattr(a, attr) / getattr(b, attr)
                for a, b in zip(self.of(top), self.of(bottom), strict=True)]


def in_rounds(emu: EmulatorServer, catalog: Catalog, clients: Sequence[Client],
              repeats: int) -> Scenario:
    scenario = Scenario(catalog, {c.key: [] for c in clients})
    for round_ in range(repeats):
        for client in rotate(clients, round_):
            run = measure(client, emu, catalog, round_)
            say(run_line(run))
            scenario.runs[client.key].append(run)
    return scenario


def warmed(emu: EmulatorServer, catalog: Catalog, client: Client, latency_ms: float) -> None:
    """One untimed, checked run at 0 ms (the emulator renders and caches its answers,
    the clients' files are read once), then the latency for the timed runs."""
    emu.backend.set_faults(latency_ms=0.0)
    measure(client, emu, catalog)
    emu.backend.set_faults(latency_ms=latency_ms)


def catalog_wall(plan: Plan) -> dict[int, Scenario]:
    result = {}
    for size in plan.sizes:
        with EmulatorServer(emulator_options("extended", 0.0, size)) as emu:
            catalog = catalog_of(emu)
            say(f"catalog, extended tier, {size} albums ({catalog.tracks} tracks, "
                f"{catalog.over_50} over 50), {LATENCY_MS:g} ms, lower bound "
                f"{catalog.lower_bound} requests")
            warmed(emu, catalog, MINIMAL, LATENCY_MS)
            result[size] = in_rounds(emu, catalog, CATALOG_CLIENTS, plan.repeats)
    return result


def catalog_tables(scenarios: dict[int, Scenario]) -> list[str]:
    rows = [
        "| albums | client | API requests (lower bound) | wall s, median (runs) "
        "| ÷ minimal client | CPU s, median | peak RSS MB | spawn → first request s "
        "| first → last request s | last request → exit s | load 1 min |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, scenario in scenarios.items():
        for client in CATALOG_CLIENTS:
            runs = scenario.of(client)
            mid = sorted(runs, key=lambda r: r.wall_s)[len(runs) // 2]
            over = median(scenario.ratios(client, MINIMAL))
            requests = "/".join(sorted({str(r.api_requests) for r in runs}))
            rows.append(
                f"| {size:,} | {client.label} | {requests} ({scenario.catalog.lower_bound}) "
                f"| {mid.wall_s:.2f} ({listing([r.wall_s for r in runs])}) | {over:.2f}x "
                f"| {median([r.cpu_s for r in runs]):.2f} "
                f"| {median([r.process.maxrss_mb for r in runs]):.0f} "
                f"| {mid.to_first_request_s:.2f} | {mid.requests_span_s:.2f} "
                f"| {mid.after_last_request_s:.2f} | {loads(runs)} |")
    return rows


def ratio_table(scenarios: dict[int, Scenario]) -> list[str]:
    rows = ["| albums | tap ÷ minimal client, per round | median | spotipy-expert ÷ tap, "
            "per round | median | load 1 min |",
            "|---:|---|---:|---|---:|---|"]
    for size, scenario in scenarios.items():
        tap_min = scenario.ratios(TAP, MINIMAL)
        exp_tap = scenario.ratios(EXPERT, TAP)
        runs = [r for rs in scenario.runs.values() for r in rs]
        rows.append(f"| {size:,} | {listing(tap_min)} | {median(tap_min):.2f}x "
                    f"| {listing(exp_tap)} | {median(exp_tap):.2f}x | {loads(runs)} |")
    return rows


# ------------------------------------------------------------------ 2. CPU per record
@dataclasses.dataclass
class CpuPair:
    full: Run  # on the CPU_ALBUMS catalog
    empty: Run  # on an empty catalog, right after

    @property
    def us_per_record(self) -> float:
        return (self.full.cpu_s - self.empty.cpu_s) / self.full.records * 1e6


def cpu_per_record(plan: Plan) -> dict[int, dict[str, list[CpuPair]]]:
    return {size: cpu_pairs(size, plan.repeats) for size in plan.cpu_sizes}


def cpu_pairs(albums: int, repeats: int) -> dict[str, list[CpuPair]]:
    pairs: dict[str, list[CpuPair]] = {c.key: [] for c in CPU_CLIENTS}
    with EmulatorServer(emulator_options("extended", 0.0, albums)) as full, \
            EmulatorServer(emulator_options("extended", 0.0, 0)) as empty:
        full_catalog, empty_catalog = catalog_of(full), catalog_of(empty)
        say(f"CPU per record, extended tier, 0 ms: {albums} albums "
            f"({full_catalog.total_records} records) and 0 albums")
        measure(MINIMAL, full, full_catalog)  # warm-up, untimed
        for client in CPU_CLIENTS:
            measure(client, empty, empty_catalog)  # warm-up, untimed
        for round_ in range(repeats):
            for client in rotate(CPU_CLIENTS, round_):
                pair = CpuPair(measure(client, full, full_catalog, round_),
                               measure(client, empty, empty_catalog, round_))
                say(run_line(pair.full) + f"; empty catalog CPU {pair.empty.cpu_s:.2f} s: "
                    f"{pair.us_per_record:.1f} µs/record")
                pairs[client.key].append(pair)
    return pairs


def cpu_table(by_size: dict[int, dict[str, list[CpuPair]]]) -> list[str]:
    rows = ["| albums | client | records | CPU s (runs) | CPU s, 0 albums (runs) "
            "| µs/record, per round | µs/record, median | wall s at 0 ms, median "
            "| load 1 min |",
            "|---:|---|---:|---:|---:|---|---:|---:|---|"]
    for albums, pairs in by_size.items():
        for client in CPU_CLIENTS:
            rows.append(cpu_row(albums, client, pairs[client.key]))
    return rows


def cpu_row(albums: int, client: Client, got: list[CpuPair]) -> str:
    runs = [p.full for p in got] + [p.empty for p in got]
    return (f"| {albums:,} | {client.label} | {got[0].full.records:,} "
            f"| {listing([p.full.cpu_s for p in got])} "
            f"| {listing([p.empty.cpu_s for p in got])} "
            f"| {listing([p.us_per_record for p in got], '.1f')} "
            f"| {median([p.us_per_record for p in got]):.1f} "
            f"| {median([p.full.wall_s for p in got]):.2f} | {loads(runs)} |")


# ------------------------------------------------------------------ 4. development tier
def development(plan: Plan) -> Scenario:
    with EmulatorServer(emulator_options("development", 0.0, plan.dev_albums)) as emu:
        catalog = catalog_of(emu)
        say(f"development tier, {plan.dev_albums} albums, {LATENCY_MS:g} ms, lower bound "
            f"{catalog.lower_bound} requests")
        warmed(emu, catalog, TAP_DEV, LATENCY_MS)
        return in_rounds(emu, catalog, DEV_CLIENTS, plan.repeats)


def dev_table(scenario: Scenario) -> list[str]:
    catalog = scenario.catalog
    rows = ["| client | API requests (fewest it can make) | records | wall s, median (runs) "
            "| CPU s, median | load 1 min |",
            "|---|---:|---:|---:|---:|---|"]
    for client in DEV_CLIENTS:
        runs = scenario.of(client)
        bound = catalog.requests(client)
        requests = "/".join(sorted({str(r.api_requests) for r in runs}))
        rows.append(f"| {client.label} | {requests} ({bound}) | {runs[0].records:,} "
                    f"| {median([r.wall_s for r in runs]):.2f} "
                    f"({listing([r.wall_s for r in runs])}) "
                    f"| {median([r.cpu_s for r in runs]):.2f} | {loads(runs)} |")
    return rows


# ------------------------------------------------------------------ targets
def verdicts(walls: dict[int, Scenario], cpu: dict[int, dict[str, list[CpuPair]]],
             about: startup.Timed, dev: Scenario, history: str, users: str) -> list[str]:
    lines: list[str] = []

    def line(met: bool, text: str) -> None:
        lines.append(f"- **{'met' if met else 'NOT met'}**: {text}")

    for size, scenario in walls.items():
        runs = scenario.of(TAP)
        bound = scenario.catalog.lower_bound
        line(all(r.api_requests == bound for r in runs),
             f"{size:,} albums: the tap's requests at the lower bound ({bound}): "
             f"{'/'.join(sorted({str(r.api_requests) for r in runs}))}; the two comparison "
             f"clients make exactly {bound} too (checked on every run).")
    for size, limit in TAP_OVER_MINIMAL_MAX.items():
        if size in walls:
            value = median(walls[size].ratios(TAP, MINIMAL))
            off = "" if value <= limit else f", {value / limit - 1:.0%} over"
            line(value <= limit, f"{size:,} albums at {LATENCY_MS:g} ms: the tap's wall time "
                 f"at most {limit:g}x the minimal client's: {value:.2f}x{off} "
                 f"(load {loads(walls[size].of(TAP))}).")
    for size, least in EXPERT_OVER_TAP_MIN.items():
        if size in walls:
            value = median(walls[size].ratios(EXPERT, TAP))
            off = "" if value >= least else f", {1 - value / least:.0%} short"
            line(value >= least, f"{size:,} albums at {LATENCY_MS:g} ms: the tap at least "
                 f"{least:g}x faster than spotipy-expert: {value:.2f}x{off} "
                 f"(load {loads(walls[size].of(TAP))}).")
    for albums, pairs in cpu.items():
        tap_cpu = median([p.us_per_record for p in pairs[TAP.key]])
        market_cpu = median([p.us_per_record for p in pairs[TAP_MARKET_SET.key]])
        off = "" if tap_cpu <= CPU_US_TARGET else f", {tap_cpu / CPU_US_TARGET - 1:.0%} over"
        cpu_runs = [p.full for p in pairs[TAP.key]]
        floor = median([p.us_per_record for p in pairs[MINIMAL.key]])
        line(tap_cpu <= CPU_US_TARGET,
             f"{albums:,} albums at 0 ms: CPU per record without market, start-up aside, at "
             f"most {CPU_US_TARGET:g} µs: {tap_cpu:.1f} µs{off} (with market {TAP_MARKET}: "
             f"{market_cpu:.1f} µs; the minimal client's {floor:.1f} µs; "
             f"load {loads(cpu_runs)}).")
    off = "" if about.median <= ABOUT_TARGET_S else \
        f", {about.median / ABOUT_TARGET_S - 1:.0%} over"
    line(about.median <= ABOUT_TARGET_S,
         f"`tap-spotify --about` at most {ABOUT_TARGET_S:g} s: median {about.median:.3f} s "
         f"(min {min(about.walls):.3f}, max {max(about.walls):.3f}){off} "
         f"(load {min(about.loads):.1f}-{max(about.loads):.1f}).")
    speedup = median(dev.ratios(TUTORIAL_DEV, TAP_DEV))
    off = "" if speedup >= DEV_SPEEDUP_TARGET else \
        f", {1 - speedup / DEV_SPEEDUP_TARGET:.0%} short"
    line(speedup >= DEV_SPEEDUP_TARGET,
         f"development tier, {dev.catalog.albums:,} albums at {LATENCY_MS:g} ms: the tap at "
         f"least {DEV_SPEEDUP_TARGET:g}x faster than the sequential tutorial client: "
         f"{speedup:.2f}x (per round {listing(dev.ratios(TUTORIAL_DEV, TAP_DEV))}){off} "
         f"(load {loads(dev.of(TAP_DEV))}).")
    dev_requests = {r.api_requests for r in dev.of(TAP_DEV)}
    line(dev_requests == {dev.catalog.lower_bound},
         f"development tier: the tap's requests at the lower bound "
         f"({dev.catalog.lower_bound}): {'/'.join(str(n) for n in sorted(dev_requests))}.")
    if history:
        lines.append(f"- History (no new target here): {history}")
    if users:
        lines.append(f"- User streams (no new target here): {users}")
    lines.append("- Every client run wrote exactly the records the emulator's catalog holds "
                 "(checked on every run; a run that does not stops the benchmark).")
    lines.append(noise(walls, cpu))
    return lines


def noise(walls: dict[int, Scenario], cpu: dict[int, dict[str, list[CpuPair]]]) -> str:
    """How far repeated runs of one scenario drifted apart in this run."""
    def spread(values: list[float]) -> float:
        return max(values) / min(values) if len(values) > 1 and min(values) > 0 else 1.0

    wall = max((spread([r.wall_s for r in runs]) for s in walls.values()
                for runs in s.runs.values()), default=1.0)
    cpu_spread = max((spread([p.us_per_record for p in pairs]) for by in cpu.values()
                      for pairs in by.values()), default=1.0)
    return (f"- Noise: repeated runs of one scenario differed by up to {wall:.2f}x in wall "
            f"time at {LATENCY_MS:g} ms and by up to {cpu_spread:.2f}x in CPU per record "
            "(columns \"runs\" and \"per round\"), with load averages alike: the machine is "
            "a shared virtual machine whose neighbours the load average does not show. The "
            "ratios, taken between adjacent runs, hold better than any absolute figure; a "
            "figure within that margin of its target says little either way.")


# ------------------------------------------------------------------ the report
def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, text=True, capture_output=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def sources_hash() -> str:
    """A hash of tap_spotify's sources as they are in the work tree (tracked files and
    new ones git does not ignore): the tap changes often."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "tap_spotify")
    paths = sorted(set(listed.split()) or {str(p.relative_to(ROOT)) for p in
                                            (ROOT / "tap_spotify").rglob("*.py")})
    digest = hashlib.sha256()
    for name in paths:
        path = ROOT / name
        if path.suffix in (".py", ".json") and path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def sources_version() -> str:
    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    return f"git commit {commit}, tap_spotify sources sha256 {sources_hash()}"


def machine() -> list[str]:
    cpu = platform.processor() or "unknown"
    memory = "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal"):
                memory = f"{int(text.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    versions = ", ".join(f"{name} {_version(name)}"
                         for name in ("singer-sdk", "requests", "spotipy", "msgspec"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores, shared with other jobs (hence the load "
        "average beside every figure)",
        f"- Memory: {memory}; OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}; {versions}",
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def history_summary(text: str) -> str:
    """The history table's closing line (ratio, machine, load)."""
    for paragraph in text.split("\n\n"):
        if paragraph.startswith("Tap / floor"):
            return paragraph.strip()
    return ""


def users_summary(rows: list[str]) -> str:
    """The user streams' totals against their lower bounds, from user_bench's table."""
    for row in rows:
        if row.startswith("| all user streams |"):
            first, first_bound, quiet, quiet_bound = (int(c) for c in row.strip("| ").split(
                "|")[1:])
            met = first == first_bound and quiet == quiet_bound
            return (f"a first run makes {first} requests for a lower bound of {first_bound}, "
                    f"a quiet daily run {quiet} for {quiet_bound}"
                    + ("." if met else ": above the bound (table below)."))
    return ""


def markdown(plan: Plan, walls: dict[int, Scenario], cpu: dict[int, dict[str, list[CpuPair]]],
             about: startup.Timed, floor: startup.Timed, imports: list[str], dev: Scenario,
             profile: list[str], users: list[str], history: str, started: datetime.datetime,
             elapsed: float, load: tuple[float, float], speed: tuple[float, float],
             version: str, command: str) -> str:
    sizes = list(walls.values())
    return "\n".join([
        "# Benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` ({elapsed / 60:.0f} minutes "
        f"in all, load average {load[0]:.1f} at the start and {load[1]:.1f} at the end), in "
        "one run: every ratio below compares runs taken side by side, in turn, on the same "
        "machine.",
        "",
        *machine(),
        "- Machine speed during the run: a fixed pure-Python loop (adding up 10,000,000 "
        f"integers one by one, `benchmarks/bench.py`) took "
        f"{speed[0]:.2f} s of CPU at the start and {speed[1]:.2f} s at the end (median of "
        "3 each). Absolute CPU and wall figures move with it from one run to the next (the "
        "load average does not show the virtual machine's neighbours); compare them across "
        "reports only with it.",
        f"- Code measured: {version}",
        "",
        "## How",
        "",
        f"- The emulator (`spotify_emulator`, seed {SEED}, no back catalog) runs in the "
        "benchmark's process, a fresh one per catalog size and tier; every client runs as a "
        "subprocess, its requests counted by the emulator (token requests apart), its wall "
        "time taken from spawn to exit, its CPU time (user + system) and peak RSS from "
        "`os.wait4`; the runs are started by a small process of their own "
        "(`benchmarks/spawner.py`), as Linux counts a parent's memory at the fork in its "
        "child's peak. Every run is checked: exit status 0, exactly the records per stream "
        "the catalog holds, one token; a failure stops the benchmark.",
        "- Catalog sizes: "
        + "; ".join(f"{s.catalog.albums:,} albums, {s.catalog.tracks:,} tracks "
                    f"({s.catalog.over_50} albums over 50 tracks, longest {s.catalog.longest}), "
                    f"{s.catalog.total_records:,} records"
                    for s in sizes) + ".",
        f"- tap-spotify: `python -m tap_spotify --config` with page_size {PAGE_SIZE}, "
        f"max_concurrency {MAX_CONCURRENCY}, no catalog file (every stream; the user and "
        "history streams have nothing to read without a refresh token or a history path).",
        "- Minimal concurrent client (`benchmarks/minimal_client.py`): plain `requests`, a "
        "pool of 8 threads with a keep-alive session each; new-releases pages of 50 (the "
        "first page's total, then the rest by offset at once), `GET /albums?ids=` 20 at a "
        "time as soon as a group is complete (at most 16 groups ahead of the one being "
        "written, so memory stays bounded), `GET /albums/{id}/tracks` pages only for an "
        "album over 50 tracks; writes the tap's records (new_releases, albums, album_tracks "
        "with album_id) as JSON lines with `json.dumps`.",
        "- spotipy, batched as an expert would (`benchmarks/spotipy_expert.py`): "
        "`sp.new_releases(limit=50)` and `sp.next`, `sp.albums(ids)` 20 at a time, "
        "`sp.album_tracks(limit=50, offset=50...)` only beyond the embedded 50; sequential "
        "(spotipy has no concurrency); the same records.",
        "- Both comparison clients make exactly the lower bound of requests, "
        "ceil(N/50) + ceil(N/20) + Σ ceil(max(0, t - 50) / 50), checked on every run.",
        "- Tutorial-style sequential client (`benchmarks/baseline_tutorial.py --listing "
        "search`), development tier only: a Development Mode app gets 403 from "
        "/browse/new-releases and /albums?ids=, so the new albums come from "
        "`GET /search?q=tag:new`, 10 a page, then each album's tracks 20 a page "
        "(`GET /albums/{id}/tracks`); it writes new_releases and album_tracks, the tap also "
        "the full albums. The development tier's lower bound: 1 (the 403 that tells the tap "
        "its tier) + ceil(N/10) + N + the extra track pages. The extended-tier tutorial "
        "client and plain spotipy are no longer run: the two clients above are faster "
        "yardsticks for the same work.",
        f"- Rounds: each scenario runs {plan.repeats} rounds after one untimed warm-up run "
        "(at 0 ms, so the emulator has rendered its answers); in each round the clients run "
        "one after the other, each round starting with the next client. A ratio is taken "
        "within a round and the median of the rounds kept.",
        "- CPU per record: (CPU of a run on "
        + " and on ".join(f"{n:,}" for n in plan.cpu_sizes) + " albums - CPU of a run on "
        "an empty catalog, taken right after) / records written, at 0 ms, median of the "
        "rounds. The empty run has the interpreter, the imports, the token and a request "
        "or two: start-up is aside.",
        "",
        f"## Catalog, extended tier, {LATENCY_MS:g} ms per request",
        "",
        *catalog_tables(walls),
        "",
        "Ratios, round by round (adjacent runs):",
        "",
        *ratio_table(walls),
        "",
        "## CPU per record, extended tier, 0 ms, start-up aside",
        "",
        *cpu_table(cpu),
        "",
        "## Start-up",
        "",
        f"Each command once to warm up, then {len(about.walls)} times in turn; wall time "
        "from spawn to exit.",
        "",
        "| command | runs | wall s min | median | max | CPU s median | load 1 min |",
        "|---|---:|---:|---:|---:|---:|---|",
        about.row(),
        floor.row(),
        "",
        "Import time of `python -X importtime -c \"import tap_spotify.cli; from "
        "tap_spotify.tap import TapSpotify\"` (what `tap-spotify` imports first), median of "
        f"{plan.import_runs} runs. Each module's own time goes to the group that first "
        "imports it (`singer_sdk` takes fsspec, jsonschema and the rest it pulls in; "
        "`tap_spotify` takes click, dotenv and the standard library modules it is the first "
        "to import); -X importtime slows every import, so read the shares.",
        "",
        *imports,
        "",
        f"## Development tier, {LATENCY_MS:g} ms per request, {dev.catalog.albums:,} albums",
        "",
        *dev_table(dev),
        "",
        "## Where the tap's main thread spends its CPU",
        "",
        "`benchmarks/profile_tap.py`: one run at 0 ms under `cProfile.Profile(time."
        "thread_time)` on the main thread, after the imports (the request workers are not "
        "in it). cProfile's overhead inflates every figure, most for small functions called "
        "often: read the order and the shares.",
        "",
        *profile,
        "",
        "## Targets",
        "",
        *verdicts(walls, cpu, about, dev, history_summary(history), users_summary(users)),
        "",
        "## User streams",
        "",
        "Requests per user stream against the emulator's listener "
        "(`benchmarks/user_bench.py`): a first run, then a quiet daily run with the first "
        "run's state and nothing new.",
        "",
        *users,
        "",
        history.strip(),
        "",
    ])


# ------------------------------------------------------------------ entry point
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smaller try: one round, catalogs of 200 (wall), 500 (CPU) "
                             "and 100 (development tier); prints only")
    parser.add_argument("--repeats", type=int, help="rounds per scenario (default 3)")
    parser.add_argument("--sizes", "--releases", type=lambda text: tuple(
        int(n) for n in text.split(",")), help="catalog sizes for the wall-time comparison, "
        "a comma list (default 200,1000,5000)")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md",
                        help="report to write (default %(default)s)")
    parser.add_argument("--no-markdown", action="store_true", help="print only")
    return parser.parse_args(argv)


T = TypeVar("T")
REFERENCE_LOOP = "s = 0\nfor i in range(10_000_000): s += i"


def reference_speed() -> float:
    """CPU seconds of a fixed loop in a fresh interpreter, median of 3: how fast the
    machine is right now."""
    with tempfile.TemporaryDirectory(prefix="tap-spotify-speed-") as tmp:
        workdir = Path(tmp)
        return median([run_process([sys.executable, "-c", REFERENCE_LOOP],
                                   workdir / "out", workdir / "err", workdir).cpu_s
                       for _ in range(3)])


#: Steps during which tap_spotify's sources changed.
CHANGED_DURING: list[str] = []


def step(name: str, action: Callable[[], T]) -> T:
    say(f"\n== {name} (load {os.getloadavg()[0]:.1f})")
    before = sources_hash()
    result = action()
    if sources_hash() != before:
        CHANGED_DURING.append(name)
        say(f"WARNING: tap_spotify changed during this step ({name})")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = QUICK if args.quick else Plan()
    if args.repeats:
        plan = dataclasses.replace(plan, repeats=args.repeats)
    if args.sizes:
        plan = dataclasses.replace(plan, sizes=args.sizes)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()[0]
    speed_start = reference_speed()
    t0 = time.monotonic()
    version = sources_version()
    try:
        walls = step("catalog wall time", lambda: catalog_wall(plan))
        cpu = step("CPU per record", lambda: cpu_per_record(plan))
        about, floor = step("tap-spotify --about", lambda: startup.about(plan.about_runs))
        imports = step("import time", lambda: startup.import_table(plan.import_runs))
        dev = step("development tier", lambda: development(plan))
        profile = step("profile", lambda: profile_tap.profile(plan.profile_albums, None, 15))
        users = step("user streams", user_bench.measure)
    except (BenchFailure, RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    if CHANGED_DURING or sources_version().split()[-1] != version.split()[-1]:
        say("WARNING: tap_spotify changed while the benchmark ran; run it again")
        version += (" (CHANGED during the run, in: " + ", ".join(CHANGED_DURING or ["between "
                    "steps"]) + "; those numbers mix two versions)")
    history_file = ROOT / "benchmarks" / "history_results.md"
    history = history_file.read_text(encoding="utf-8") if history_file.exists() else ""
    command = " ".join([COMMAND, *(argv if argv is not None else sys.argv[1:])])
    report = markdown(plan, walls, cpu, about, floor, imports, dev, profile, users,
                      history, started, time.monotonic() - t0,
                      (load_start, os.getloadavg()[0]), (speed_start, reference_speed()),
                      version, command)
    say("\n## Catalog" + report.split("## Catalog", 1)[1])
    if not (args.no_markdown or args.quick):
        args.markdown.write_text(report, encoding="utf-8")
        say(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
