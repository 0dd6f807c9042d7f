"""Where the tap's main thread spends its CPU, per record, on the emulator at 0 ms.

The emulator runs in this process (extended tier, no added latency); the tap runs in a
subprocess (this module with `--child`) under `cProfile.Profile(time.thread_time)`,
enabled on the main thread only, after the tap's imports: the main thread builds,
checks and writes the records, the request workers (HTTP, JSON decoding) are not in
the profile but are in the process's CPU, which this prints beside it. cProfile's own
overhead inflates every figure (most for small functions called often): read them as
shares and as an order, not as the tap's speed.

    .venv/bin/python -m benchmarks.profile_tap [--albums 5000] [--market ES] [--top 20]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import (
    ROOT,
    TAP,
    TAP_MARKET_SET,
    Process,
    catalog_of,
    count_records,
    emulator_options,
    run_process,
    tap_config,
)
from spotify_emulator import EmulatorServer

ALBUMS = 5000
TOP = 20


def child(config: str, profile_out: str) -> None:
    """The tap as `tap-spotify --config CONFIG`, its main thread profiled (not profiled
    where `profile_out` is "-": its main thread's CPU time alone, for the estimates)."""
    import tap_spotify.cli
    from tap_spotify.tap import TapSpotify  # noqa: F401  imports outside the profile

    sys.argv = ["tap-spotify", "--config", config]
    profiler = cProfile.Profile(time.thread_time) if profile_out != "-" else None
    started, process_started = time.thread_time(), time.process_time()
    if profiler is not None:
        profiler.enable()
    try:
        tap_spotify.cli.main()
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise
    finally:
        if profiler is not None:
            profiler.disable()
        main_thread = time.thread_time() - started
        run = time.process_time() - process_started
        sys.stdout.flush()
        print(f"MAIN_THREAD_CPU={main_thread} RUN_CPU={run}", file=sys.stderr)
        if profiler is not None:
            profiler.dump_stats(profile_out)


@dataclasses.dataclass
class Child:
    process: Process
    main_thread_s: float
    run_s: float  # the whole process's CPU from the tap's start (imports aside) to its end
    records: int


def run_child(workdir: Path, config: Path, profile_out: str, expected: int) -> Child:
    out, err = workdir / "records.jsonl", workdir / "stderr.txt"
    cmd = [sys.executable, "-m", "benchmarks.profile_tap", "--child", str(config), profile_out]
    process = run_process(cmd, out, err, workdir)
    stderr = err.read_text(errors="replace")
    if process.returncode != 0:
        raise RuntimeError("the profiled tap failed:\n" + stderr[-3000:])
    with out.open("rb") as fh:
        records = sum(count_records(fh).values())
    if records != expected:
        raise RuntimeError(f"the profiled tap wrote {records} records, not {expected}")
    said = stderr.rsplit("MAIN_THREAD_CPU=", 1)[1].split()
    main_thread, run = float(said[0]), float(said[1].removeprefix("RUN_CPU="))
    return Child(process, main_thread, run, records)


def profile(albums: int, market: str | None, top: int, save: Path | None = None) -> list[str]:
    """Markdown lines: the main thread's top functions by own time, per record (the
    profile itself kept in `save`, for pstats, if given)."""
    with EmulatorServer(emulator_options("extended", 0.0, albums)) as emu, \
            tempfile.TemporaryDirectory(prefix="tap-spotify-profile-") as tmp:
        workdir = Path(tmp)
        catalog = catalog_of(emu)
        config = workdir / "config.json"
        config.write_text(json.dumps(tap_config(emu, market)))
        expected = sum(catalog.records(TAP_MARKET_SET if market else TAP).values())
        plain = run_child(workdir, config, "-", expected)
        prof = workdir / "tap.prof"
        profiled = run_child(workdir, config, str(prof), expected)
        stats = pstats.Stats(str(prof), stream=io.StringIO())
        if save is not None:
            save.write_bytes(prof.read_bytes())
    table = stats.stats  # type: ignore[attr-defined]
    entries = []
    for func, (_, calls, own, cumulative, callers) in table.items():
        entries.append((own, cumulative, calls, short(*func), caller_of(func, callers)))
    entries.sort(reverse=True)
    records = plain.records
    per = 1e6 / records
    # The profile's shares applied to the main thread's CPU without the profiler.
    scale = plain.main_thread_s / profiled.main_thread_s
    lines = [
        f"{albums:,} albums{f', market {market}' if market else ''}, {records:,} records. "
        f"Without the profiler: process CPU {plain.process.cpu_s:.2f} s "
        f"({plain.process.cpu_s * per:.1f} µs/record, start-up included); after the "
        f"imports {plain.run_s:.2f} s, of which the main thread {plain.main_thread_s:.2f} s "
        f"({plain.main_thread_s * per:.1f} µs/record) and the other threads (the request "
        f"workers: HTTP, JSON decoding) {plain.run_s - plain.main_thread_s:.2f} s "
        f"({(plain.run_s - plain.main_thread_s) * per:.1f} µs/record); load "
        f"{plain.process.load:.1f}. Profiled: main thread {profiled.main_thread_s:.2f} s "
        f"({profiled.main_thread_s * per:.1f} µs/record), load {profiled.process.load:.1f}. "
        "The estimate column scales each function's share of the profiled main thread to "
        "the main thread's CPU without the profiler.",
        "",
        "| function | own µs/record, profiled | estimate without profiler | cumulative µs/record, "
        "profiled | calls/record | mostly called from |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for own, cumulative, calls, where, caller in entries[:top]:
        lines.append(f"| `{where}` | {own * per:.2f} | {own * per * scale:.2f} "
                     f"| {cumulative * per:.2f} | {calls / records:.2f} | {caller} |")
    return lines


def caller_of(func: tuple[str, int, str], callers: dict) -> str:
    """The caller that spent the most time in `func`, outside `func`'s own module (a
    recursive or helper call is passed over when another caller exists)."""
    ranked = sorted(callers.items(), key=lambda item: -item[1][3])
    outside = [c for c, _ in ranked if c[0] != func[0] or func[0] == "~"]
    chosen = outside or [c for c, _ in ranked]
    return f"`{short(*chosen[0])}`" if chosen else ""


def short(file: str, line: int, name: str) -> str:
    """`package/module.py:line name` (stdlib modules by their name), or the built-in's."""
    if file == "~":
        return name
    path = Path(file)
    parts = path.parts
    if "site-packages" in parts:
        shown = "/".join(parts[len(parts) - parts[::-1].index("site-packages"):])
    elif path.is_relative_to(ROOT):
        shown = path.relative_to(ROOT).as_posix()
    else:
        shown = path.name  # the standard library
    return f"{shown}:{line} {name}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--albums", type=int, default=ALBUMS)
    parser.add_argument("--market", default=None)
    parser.add_argument("--top", type=int, default=TOP)
    parser.add_argument("--save", type=Path, help="keep the profile there (for pstats)")
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "PROFILE_OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    print("\n".join(profile(args.albums, args.market, args.top, args.save)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
