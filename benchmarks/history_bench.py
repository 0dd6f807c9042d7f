"""tap-spotify's downloadable-history streams against the floor, on one synthetic export.

The export: 1,000,000 plays in 60 extended-streaming-history files (59 Audio, 1 Video,
about 16,700 plays each, pretty-printed JSON), written by tests/history/synthetic.py.
Each contender runs as a subprocess writing its output to a file; wall time is spawn to
exit, CPU and peak memory (max RSS) are the child's own (os.wait4).

- floor: a plain msgspec read-and-write: each file decoded, each play written as one
  JSON line. No dedupe, no ordering, no Singer envelope.
- tap: `python -m tap_spotify` syncing `streaming_history` (every play once, in time
  order, with its listener_id and play_id, as Singer RECORDs), with a catalog that
  selects the history streams only, as Meltano would.
- tap, state: the same, run again with the first run's final state (nothing new).

Prints a markdown table and writes it to benchmarks/history_results.md.

    .venv/bin/python -m benchmarks.history_bench                  # 1,000,000 plays
    .venv/bin/python -m benchmarks.history_bench --plays 100000 --no-markdown
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.history.synthetic import make_plays, write_extended

ROOT = Path(__file__).resolve().parent.parent
FILES = 60
REPEATS = 3
TARGET = 4.0  # the goal: within 4x of the floor's wall time

FLOOR = """
import sys, msgspec
from pathlib import Path
encode = msgspec.json.Encoder().encode
out = sys.stdout.buffer
for path in sorted(Path(sys.argv[1]).glob("*.json")):
    for play in msgspec.json.decode(path.read_bytes()):
        out.write(encode(play))
        out.write(b"\\n")
"""


@dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    lines: int
    records: int
    last_state: dict | None


def run(args: list[str], out: Path) -> Run:
    """Spawn, wait, and read back what the child wrote."""
    started = time.perf_counter()
    with out.open("wb") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE, cwd=out.parent)
        assert proc.stderr is not None
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{args[:3]} failed ({proc.returncode}):\n{stderr.decode()[-2000:]}")
    lines = records = 0
    state = None
    with out.open("rb") as produced:
        for line in produced:
            lines += 1
            if line.startswith(b'{"type":"RECORD"'):
                records += 1
            elif line.startswith(b'{"type":"STATE"'):
                state = json.loads(line)["value"]
    out.unlink()
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines,
               records, state)


def history_catalog(config: Path) -> dict:
    """The tap's catalog with only the history streams selected."""
    found = subprocess.run([sys.executable, "-m", "tap_spotify", "--config", str(config),
                            "--discover"], capture_output=True, check=True, cwd=ROOT)
    catalog = json.loads(found.stdout)
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"].startswith(
                    "streaming_history")
    return dict(catalog)


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def make_export(folder: Path, plays: int) -> list[Path]:
    """59 Audio files and 1 Video file (every 60th play is a video podcast), written by
    a child process: a child forked from a parent holding a million plays would report
    the parent's memory as its own peak."""
    subprocess.run([sys.executable, "-m", "benchmarks.history_bench", "--write-export",
                    str(folder), "--plays", str(plays)], check=True, cwd=ROOT)
    return sorted(folder.glob("*.json"))


def write_export(folder: Path, plays: int) -> None:
    history = make_plays(plays, seed=7, video_every=FILES)
    audio = plays - plays // FILES
    write_extended(folder, history, per_file=math.ceil(audio / (FILES - 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-markdown", action="store_true",
                        help="print the table only; leave history_results.md alone")
    parser.add_argument("--write-export", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.write_export:
        write_export(options.write_export, options.plays)
        return

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
        work = Path(tmp)
        export = work / "Spotify Extended Streaming History"
        print(f"writing {options.plays:,} plays in {FILES} files...", file=sys.stderr)
        files = make_export(export, options.plays)
        export_mb = sum(p.stat().st_size for p in files) / 2**20
        largest_mb = max(p.stat().st_size for p in files) / 2**20

        config = work / "config.json"  # the history alone: no Spotify credentials
        config.write_text(json.dumps({"streaming_history_path": str(export)}))
        catalog = work / "catalog.json"
        catalog.write_text(json.dumps(history_catalog(config)))
        tap = [sys.executable, "-m", "tap_spotify", "--catalog", str(catalog), "--config",
               str(config)]
        floor = [sys.executable, "-c", FLOOR, str(export)]

        half = files[len(files) // 2:]  # 30 files, the largest among them
        half_config = work / "half.json"
        half_config.write_text(json.dumps({"streaming_history_path": [str(p) for p in half]}))
        half_plays = sum(1 for p in half for _ in json.loads(p.read_bytes()))
        state = work / "state.json"
        # (name, command, plays read, plays expected out)
        scenarios: list[tuple[str, list[str], int, int]] = [
            ("floor: msgspec read + write", floor, options.plays, options.plays),
            ("tap: streaming_history", tap, options.plays, options.plays),
            (f"tap: {len(half)} of the {FILES} files", [*tap[:-1], str(half_config)],
             half_plays, half_plays),
            ("tap: again, with its state", [*tap, "--state", str(state)], options.plays, 0),
        ]
        runs: dict[str, list[Run]] = {name: [] for name, *_ in scenarios}
        for i in range(options.repeats):  # interleaved: drift hits all alike
            print(f"round {i + 1}/{options.repeats}", file=sys.stderr)
            for name, command, _, _ in scenarios:
                runs[name].append(run(command, work / "out.jsonl"))
                if name == "tap: streaming_history":
                    state.write_text(json.dumps(runs[name][-1].last_state))

    results = {name: median_run(runs[name]) for name in runs}
    base = results["floor: msgspec read + write"]
    rows = [
        "| run | wall s | CPU s | plays/s | x floor (wall) | peak RSS MB | plays out |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, _, plays_in, expected in scenarios:
        result = results[name]
        out = result.lines if name.startswith("floor") else result.records
        assert out == expected, f"{name}: {out:,} plays written, expected {expected:,}"
        rows.append(f"| {name} | {result.seconds:.2f} | {result.cpu:.2f} | "
                    f"{plays_in / result.seconds:,.0f} | {result.seconds / base.seconds:.2f} | "
                    f"{result.peak_mb:.0f} | {out:,} |")
    ratio = results["tap: streaming_history"].seconds / base.seconds
    cpu_ratio = results["tap: streaming_history"].cpu / base.cpu
    text = "\n".join([
        "## Downloadable history: tap vs floor",
        "",
        f"{options.plays:,} synthetic plays in {FILES} extended-history files (59 Audio, 1 "
        f"Video; {export_mb:.0f} MB of pretty-printed JSON, largest file {largest_mb:.1f} MB), "
        f"median of {options.repeats} interleaved runs; each run is a subprocess writing to "
        "a file. The floor decodes each file with msgspec and writes each play as a JSON "
        "line; the tap writes each play once, in time order, with its listener_id and play_id, "
        "as Singer RECORDs through the SDK's record path (SCHEMA and STATE messages too), "
        "with a catalog selecting the history streams. plays/s counts the plays read. The 30-file "
        "run shows that peak memory follows the largest file, not the export.",
        "",
        "\n".join(rows),
        "",
        f"Tap / floor wall time: {ratio:.2f}x (goal: within {TARGET:.0f}x); CPU time: "
        f"{cpu_ratio:.2f}x. Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load[0]:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows both "
        "alike, the interleaving spreads it). "
        "Command: `.venv/bin/python -m benchmarks.history_bench`.",
        "",
    ])
    print(text)
    if not options.no_markdown:
        (ROOT / "benchmarks" / "history_results.md").write_text(text)


if __name__ == "__main__":
    main()
