"""``python -m spotify_emulator``: URLs on stdout, serves, exits on SIGTERM."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from spotify_emulator import EmulatorOptions
from spotify_emulator.cli import build_parser, options_from_args

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
        "--next-base",
        "--loop-next",
        "--total",
        "--ignore-offset",
        "--trickle-ms",
        "--retry-after-raw",
        "--status-for",
        "--status-code",
    ):
        assert flag in result.stdout


def test_cli_port_in_use_says_so_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "spotify_emulator", "--port", str(port), "--lifetime", "5"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "already in use" in lines[0]
    assert "--port" in lines[0] and "Traceback" not in result.stderr


def test_cli_hostile_flags() -> None:
    args = build_parser().parse_args(
        [
            "--next-base",
            "http://127.0.0.2:1/v1",
            "--loop-next",
            "--total",
            "7",
            "--ignore-offset",
            "--trickle-ms",
            "2.5",
            "--retry-after-raw",
            "Wed, 26 Nov 2026 10:00:00 GMT",
            "--status-for",
            "/v1/browse",
            "--status-code",
            "418",
            "--retry-after",
            "none",
        ]
    )
    opts = options_from_args(args)
    assert (opts.next_base, opts.loop_next, opts.total, opts.ignore_offset) == (
        "http://127.0.0.2:1/v1",
        True,
        7,
        True,
    )
    assert (opts.trickle_ms, opts.retry_after_raw) == (2.5, "Wed, 26 Nov 2026 10:00:00 GMT")
    assert (opts.status_for, opts.status_code, opts.retry_after) == (("/v1/browse",), 418, None)
    defaults = options_from_args(build_parser().parse_args([]))
    assert defaults == EmulatorOptions()


def test_every_option_is_a_flag() -> None:
    """The parser is built from EmulatorOptions: one flag per field, same defaults."""
    parser = build_parser()
    flags = {a.dest: a.option_strings for a in parser._actions}
    for field in dataclasses.fields(EmulatorOptions):
        assert "--" + field.name.replace("_", "-") in flags[field.name], field.name
        assert field.metadata["group"], field.name


def test_cli_new_flags() -> None:
    opts = options_from_args(
        build_parser().parse_args(
            [
                "--shape", "junk_items,next_number",
                "--shape-for", "/v1/me,/v1/browse",
                "--redirect-for", "/api/token",
                "--redirect-code", "307",
                "--redirect-to", "http://127.0.0.2:9",
                "--status-message", "{token}",
                "--gzip-bomb-for", "/v1/browse",
                "--gzip-bomb-bytes", "1000000",
                "--trickle-headers",
                "--cursor-loop",
                "--ignore-after",
                "--signed-in", "alice",
                "--allowlist", "listener,alice",
                "--playlist-items-max-limit", "100",
                "--no-faults-on-token",
                "--track-counts", "1,50",
            ]
        )
    )
    assert opts.shape == ("junk_items", "next_number")
    assert opts.shape_for == ("/v1/me", "/v1/browse")
    assert (opts.redirect_for, opts.redirect_code, opts.redirect_to) == (
        ("/api/token",), 307, "http://127.0.0.2:9"
    )
    assert (opts.status_message, opts.gzip_bomb_for, opts.gzip_bomb_bytes) == (
        "{token}", ("/v1/browse",), 1_000_000
    )
    assert opts.trickle_headers and opts.cursor_loop and opts.ignore_after
    assert (opts.signed_in, opts.allowlist) == ("alice", ("listener", "alice"))
    assert opts.playlist_items_max_limit == 100 and not opts.faults_on_token
    assert opts.track_counts == (1, 50)


def test_cli_refuses_unknown_listeners_and_shapes() -> None:
    for args in (["--signed-in", "dave"], ["--shape", "bogus"], ["--allowlist", "dave"]):
        result = subprocess.run(
            [sys.executable, "-m", "spotify_emulator", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, args
        assert "dave" in result.stderr or "bogus" in result.stderr
