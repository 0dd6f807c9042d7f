"""Running the real tap as a subprocess, the way a user's pipeline does, and reading
what it printed (tests and scripts alike)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TapRun:
    """One finished run of `tap-spotify`: exit code, raw output, parsed Singer messages."""

    returncode: int
    stdout: bytes
    stderr: str
    seconds: float = 0.0
    messages: list[dict] = field(default_factory=list)

    def records(self, stream: str) -> list[dict]:
        return [m["record"] for m in self.messages
                if m["type"] == "RECORD" and m["stream"] == stream]

    def ids(self, stream: str) -> list[str]:
        return [r["id"] for r in self.records(stream)]

    def track_pairs(self) -> list[tuple[str, str]]:
        return [(r["album_id"], r["id"]) for r in self.records("album_tracks")]

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def state(self) -> dict:
        return self.states[-1]

    @property
    def last_stderr_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def tap_command(work: Path, config: dict[str, Any], *, state: dict | None = None,
                catalog: dict | None = None) -> list[str]:
    """`python -m tap_spotify --config ...`, its files written to `work`."""
    work.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "tap_spotify"]
    for option, value in (("--config", config), ("--state", state), ("--catalog", catalog)):
        if value is not None:
            path = work / f"{option[2:]}-{time.monotonic_ns()}.json"
            path.write_text(json.dumps(value))
            args += [option, str(path)]
    return args


def run_tap(work: Path, config: dict[str, Any], *, state: dict | None = None,
            catalog: dict | None = None, timeout: float = 300,
            extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None,
            singer_output: bool = True) -> TapRun:
    """Run the tap in `work` and parse everything it printed: every stdout line must be
    a whole Singer message."""
    args = [*tap_command(work, config, state=state, catalog=catalog), *extra_args]
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, timeout=timeout, cwd=work,
                          env={**os.environ, **(env or {})}, check=False)
    run = TapRun(proc.returncode, proc.stdout, proc.stderr.decode(),
                 time.monotonic() - started)
    if singer_output:
        run.messages = [json.loads(line) for line in proc.stdout.splitlines()]
    return run


def tap_process(args: list[str], cwd: Path, env: dict[str, str] | None = None,
                ) -> subprocess.CompletedProcess:
    """`python -m tap_spotify ARGS` with no TAP_SPOTIFY_* variable of ours leaking in,
    only `env`'s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TAP_SPOTIFY_")}
    return subprocess.run([sys.executable, "-m", "tap_spotify", *args], cwd=cwd,
                          capture_output=True, env={**clean, **(env or {})}, timeout=120,
                          check=False)


#: Runs a command and reports its peak memory. Measured from a small parent of its own:
#: a child forked straight from a big test process starts with that process's resident
#: memory counted in its own peak.
_PEAK_PROBE = """\
import os, subprocess, sys
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    child = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err)
    _, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run_with_peak_memory(args: list[str], cwd: Path) -> tuple[int, bytes, str, int]:
    """Run `args` in `cwd`: (exit code, stdout, stderr, peak resident memory in bytes)."""
    out, err = cwd / f"stdout-{time.monotonic_ns()}", cwd / f"stderr-{time.monotonic_ns()}"
    probe = subprocess.run([sys.executable, "-c", _PEAK_PROBE, str(out), str(err), *args],
                           capture_output=True, cwd=cwd, timeout=600, check=True)
    code, peak_kb = probe.stdout.split()
    return int(code), out.read_bytes(), err.read_text(), int(peak_kb) * 1024
