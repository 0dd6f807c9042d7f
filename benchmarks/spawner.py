"""Starts the benchmark's client runs from a small process of its own.

Linux keeps a process's peak memory across exec, and a child starts with its parent's
memory as its peak: a client started by the benchmark itself, which holds the emulator's
catalog and its rendered answers (hundreds of MB at 5,000 albums), would report that as
its own peak RSS. So the benchmark starts this process once, small, and asks it over a
pipe to start each run; the figures are the run's own (os.wait4).

Each request is one JSON line (cmd, stdout, stderr, cwd, env, timeout); each answer one
JSON line (spawn, exit: time.monotonic, the clock the emulator's request log uses; cpu_s,
user + system; maxrss_mb; returncode; load, the 1-minute load average at the start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any


def run(request: dict[str, Any]) -> dict[str, Any]:
    load = os.getloadavg()[0]
    with open(request["stdout"], "wb") as out, open(request["stderr"], "wb") as err:
        spawn = time.monotonic()
        proc = subprocess.Popen(request["cmd"], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, cwd=request["cwd"], env=request["env"])
        watchdog = threading.Timer(request["timeout"], proc.kill)  # a run that hangs
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        end = time.monotonic()
    return {"spawn": spawn, "exit": end, "cpu_s": usage.ru_utime + usage.ru_stime,
            "maxrss_mb": usage.ru_maxrss / 1024,
            "returncode": os.waitstatus_to_exitcode(status), "load": load}


def main() -> None:
    for line in sys.stdin:
        try:
            answer = run(json.loads(line))
        except OSError as exc:  # a command that cannot start
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
