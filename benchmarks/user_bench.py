"""Requests per user stream against the lower bound: a first run, and a quiet daily run
(nothing new since the first), against the emulator's listener.

    .venv/bin/python -m benchmarks.user_bench
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.tap.conftest import refresh_token_for, tap_config

STREAMS = ("me", "recently_played", "top_tracks", "top_artists", "saved_tracks",
           "saved_albums", "followed_artists", "playlists", "playlist_items")


def pages(count: int, size: int) -> int:
    """Requests to read `count` items `size` a page (an empty list still takes one)."""
    return max(1, math.ceil(count / size))


def lower_bounds(summary: dict) -> tuple[dict[str, int], dict[str, int]]:
    """The least requests Spotify's API allows, first run and quiet run."""
    counts = summary["counts"]
    top = {kind: sum(pages(n, 50) for n in counts[kind].values())
           for kind in ("top_tracks", "top_artists")}
    first = {"me": 1, "recently_played": 1, **top,
             "saved_tracks": pages(counts["saved_tracks"], 50),
             "saved_albums": pages(counts["saved_albums"], 50),
             "followed_artists": pages(counts["followed_artists"], 50),
             "playlists": pages(counts["playlists"], 50),
             "playlist_items": sum(pages(p["items"], 100) for p in summary["playlists"])}
    quiet = {**first, "saved_tracks": 1, "saved_albums": 1, "playlist_items": 0}
    return first, quiet


def run_tap(config: dict, state: dict | None, workdir: Path) -> dict:
    """One run; its last STATE."""
    (workdir / "config.json").write_text(json.dumps(config))
    args = [sys.executable, "-m", "tap_spotify", "--config", str(workdir / "config.json")]
    if state is not None:
        (workdir / "state.json").write_text(json.dumps(state))
        args += ["--state", str(workdir / "state.json")]
    out = subprocess.run(args, capture_output=True, check=True, timeout=600).stdout
    states = [json.loads(line)["value"] for line in out.splitlines()
              if json.loads(line)["type"] == "STATE"]
    return states[-1]


def measure() -> list[str]:
    """Markdown lines: one row per user stream."""
    with EmulatorServer(EmulatorOptions(new_releases=0, seed=7)) as emu, \
            tempfile.TemporaryDirectory() as tmp:
        config = tap_config(emu, refresh_token=refresh_token_for(emu))
        first_bound, quiet_bound = lower_bounds(emu.backend.users.summary())
        emu.backend.reset_stats()
        state = run_tap(config, None, Path(tmp))
        first = emu.backend.stats()["counts"]
        emu.backend.reset_stats()
        run_tap(config, state, Path(tmp))
        quiet = emu.backend.stats()["counts"]
    lines = ["| stream | first run | lower bound | quiet daily run | lower bound |",
             "|---|---:|---:|---:|---:|"]
    for stream in STREAMS:
        lines.append(f"| {stream} | {first.get(stream, 0)} | {first_bound[stream]} "
                     f"| {quiet.get(stream, 0)} | {quiet_bound[stream]} |")
    lines.append(f"| all user streams | {sum(first.get(s, 0) for s in STREAMS)} "
                 f"| {sum(first_bound.values())} | {sum(quiet.get(s, 0) for s in STREAMS)} "
                 f"| {sum(quiet_bound.values())} |")
    lines.append(f"| token requests | {first.get('token', 0)} | 1 | {quiet.get('token', 0)} "
                 "| 1 |")
    return lines


if __name__ == "__main__":
    print("\n".join(measure()))
