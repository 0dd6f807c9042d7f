"""``python -m spotify_emulator``: URLs on stdout, serves, exits on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_cli_serves_until_sigterm() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spotify_emulator",
            "--port",
            "0",
            "--new-releases",
            "7",
            "--profile",
            "extended",
            "--seed",
            "3",
            "--client-id",
            "cid",
            "--client-secret",
            "sec",
            "--lifetime",
            "30",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        api_line = proc.stdout.readline().strip()
        token_line = proc.stdout.readline().strip()
        assert api_line.startswith("API_URL=http://127.0.0.1:") and api_line.endswith("/v1")
        assert token_line.startswith("TOKEN_URL=http://127.0.0.1:")
        api_url = api_line.split("=", 1)[1]
        token_url = token_line.split("=", 1)[1]
        token = requests.post(
            token_url, data={"grant_type": "client_credentials"}, auth=("cid", "sec"), timeout=5
        ).json()["access_token"]
        page = requests.get(
            api_url + "/browse/new-releases",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        ).json()["albums"]
        assert page["total"] == 7
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_rejects_bad_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "spotify_emulator", "--fault-kinds", "bogus", "--fault-rate", "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "unknown fault kinds" in result.stderr


def test_cli_help_lists_every_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "spotify_emulator", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    for flag in (
        "--seed",
        "--new-releases",
        "--profile",
        "--token-ttl",
        "--rate-limit",
        "--retry-after",
        "--rate-limit-variant",
        "--fault-rate",
        "--latency-ms",
        "--client-id",
        "--client-secret",
        "--today",
        "--host",
        "--port",
        "--track-counts",
        "--fault-kinds",
        "--fault-seed",
        "--no-faults-on-token",
        "--rate-limit-window",
        "--release-spread-days",
        "--script-429-after",
    ):
        assert flag in result.stdout
