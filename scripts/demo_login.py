"""The demo's sign-in: runs `tap-spotify login --no-browser` against the emulator and
plays the browser (opens the URL login prints; the emulator approves at once).

    python scripts/demo_login.py ENV_FILE
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests


def main(env_file: str) -> int:
    tap = Path(sys.executable).with_name("tap-spotify")
    login = subprocess.Popen([str(tap), "login", "--no-browser", "--port", "0",
                              "--env-file", env_file], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=os.environ)
    assert login.stdout is not None
    url = login.stdout.readline().strip()
    print(f"    {url}")
    requests.get(url, timeout=30)  # /authorize redirects to login's callback
    out, err = login.communicate(timeout=60)
    for line in out.splitlines():
        if line.strip():
            print(f"    {line}")
    if login.returncode:
        print(err, file=sys.stderr)
    return login.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
