"""The tap's start-up: `tap-spotify --about` timed from outside, and where its imports go.

- `--about`: the console script run RUNS times after one warm-up, each a subprocess
  timed from spawn to exit (wall) with its CPU from os.wait4; min, median and max.
  `python -c pass` is timed the same way beside it: the interpreter's own floor.
- Imports: `python -X importtime -c "import tap_spotify.cli; from tap_spotify.tap import
  TapSpotify"` (what `tap-spotify` imports before it does anything), RUNS times. Each
  module's own (self) time goes to a group: `tap_spotify` (our modules), `singer_sdk`,
  `requests` (with urllib3, charset_normalizer, idna, certifi) and `msgspec` each take
  their own modules and every other module they are the first to import; what none of
  them imports is the interpreter's start-up. The median of each group over the runs.
  -X importtime itself slows imports down, so the groups add up to more than the import
  takes without it: read them as shares.

    .venv/bin/python -m benchmarks.startup [--runs 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import ROOT, child_env, run_process

IMPORTS = "import tap_spotify.cli; from tap_spotify.tap import TapSpotify"
#: The groups, by top-level package: each takes what it is the first to import.
GROUPS = {
    "tap_spotify": "tap_spotify (our modules)",
    "singer_sdk": "singer_sdk (the SDK's own package import)",
    "requests": "requests (urllib3, charset_normalizer, idna, certifi)",
    "urllib3": "requests (urllib3, charset_normalizer, idna, certifi)",
    "charset_normalizer": "requests (urllib3, charset_normalizer, idna, certifi)",
    "idna": "requests (urllib3, charset_normalizer, idna, certifi)",
    "certifi": "requests (urllib3, charset_normalizer, idna, certifi)",
    "msgspec": "msgspec",
}
STARTUP = "interpreter start-up (site, encodings...)"


@dataclasses.dataclass
class Timed:
    label: str
    walls: list[float]
    cpus: list[float]
    loads: list[float]

    def row(self) -> str:
        walls = sorted(self.walls)
        return (f"| {self.label} | {len(walls)} | {walls[0]:.3f} | {statistics.median(walls):.3f} "
                f"| {walls[-1]:.3f} | {statistics.median(self.cpus):.3f} "
                f"| {min(self.loads):.1f}-{max(self.loads):.1f} |")

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def run_once(cmd: Sequence[str]) -> tuple[float, float, float]:
    """(wall, CPU, load) of one run of `cmd`, which must exit 0."""
    with tempfile.TemporaryDirectory(prefix="tap-spotify-startup-") as tmp:
        workdir = Path(tmp)
        process = run_process(cmd, workdir / "stdout.txt", workdir / "stderr.txt", workdir)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {process.returncode}: "
                               + (workdir / "stderr.txt").read_text(errors="replace")[-2000:])
    return process.wall_s, process.cpu_s, process.load


def about(runs: int) -> tuple[Timed, Timed]:
    """`tap-spotify --about` (the console script beside this Python) and `python -c
    pass`, each warmed up once, then run in turn `runs` times."""
    script = Path(sys.executable).with_name("tap-spotify")
    about_cmd = ([str(script), "--about"] if script.exists()
                 else [sys.executable, "-m", "tap_spotify", "--about"])
    commands = ((Timed("`tap-spotify --about`", [], [], []), about_cmd),
                (Timed("`python -c pass` (the interpreter alone)", [], [], []),
                 [sys.executable, "-c", "pass"]))
    for _, cmd in commands:
        run_once(cmd)
    for _ in range(runs):
        for timed, cmd in commands:
            wall, cpu, load = run_once(cmd)
            timed.walls.append(wall)
            timed.cpus.append(cpu)
            timed.loads.append(load)
    return commands[0][0], commands[1][0]


def import_groups(stderr: str) -> tuple[dict[str, float], dict[str, float]]:
    """Self time (ms) per group, and per top-level package within every group, of one
    `-X importtime` report. Children come before their parent, one indent deeper."""
    entries: list[tuple[int, str, int]] = []  # depth, module, self µs
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, own, _, name = line.replace("import time:", "|", 1).split("|")
        depth = (len(name) - len(name.lstrip(" "))) // 2
        entries.append((depth, name.strip(), int(own)))
    groups: dict[str, float] = defaultdict(float)
    packages: dict[str, float] = defaultdict(float)
    # Walk parents first (reversed order), keeping each depth's group on a stack.
    stack: list[str] = []
    for depth, module, self_us in reversed(entries):
        del stack[depth:]
        top = module.split(".")[0]
        inherited = stack[-1] if stack else STARTUP
        group = GROUPS.get(top, inherited)
        stack.append(group)
        groups[group] += self_us / 1000
        packages[f"{group}\0{top}"] += self_us / 1000
    return dict(groups), dict(packages)


def import_table(runs: int) -> list[str]:
    """Markdown: the median of each group over `runs` runs of -X importtime."""
    by_group: dict[str, list[float]] = defaultdict(list)
    by_package: dict[str, list[float]] = defaultdict(list)
    totals: list[float] = []
    loads: list[float] = []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORTS],
                                capture_output=True, text=True, cwd=ROOT, env=child_env(),
                                check=True)
        groups, packages = import_groups(result.stderr)
        totals.append(sum(groups.values()))
        for name in {*GROUPS.values(), STARTUP}:
            by_group[name].append(groups.get(name, 0.0))
        for name, ms in packages.items():
            by_package[name].append(ms)
    total = statistics.median(totals)
    rows = ["| group | self time ms, median | share | largest packages in it, ms |",
            "|---|---:|---:|---|"]
    for name, values in sorted(by_group.items(), key=lambda kv: -statistics.median(kv[1])):
        ms = statistics.median(values)
        inside = sorted(((key.split("\0")[1], statistics.median(v + [0.0] * (runs - len(v))))
                         for key, v in by_package.items() if key.split("\0")[0] == name),
                        key=lambda kv: -kv[1])
        shown = ", ".join(f"{pkg} {pkg_ms:.0f}" for pkg, pkg_ms in inside[:6] if pkg_ms >= 0.5)
        rows.append(f"| {name} | {ms:.0f} | {ms / total:.0%} | {shown} |")
    rows.append(f"| all imports (under -X importtime; load 1 min {min(loads):.1f}-"
                f"{max(loads):.1f}) | {total:.0f} | 100% | |")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    tap, floor = about(args.runs)
    print("| command | runs | wall s min | median | max | CPU s median | load 1 min |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(tap.row())
    print(floor.row())
    print()
    print("\n".join(import_table(max(1, args.runs // 2))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
