"""SIGTERM while piping into a real target (target-jsonl): the target reads only whole
lines, loads no record twice, and the tap exits non-zero; a run from the last state
completes the load."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.meltano.helpers import Meltano, base_env


def pipe(project: Meltano, config: Path, out: Path, state: Path | None = None,
         stop: bool = False) -> tuple[int, int, bytes]:
    """`tap-spotify --config ... | target-jsonl`; with `stop`, SIGTERM to the tap once the
    target has loaded some albums. The tap's exit code, the target's, both stderrs."""
    target = project.plugin_python("loaders", "target-jsonl").with_name("target-jsonl")
    out.mkdir()
    (out / "target.json").write_text(json.dumps({"destination_path": str(out),
                                                 "do_timestamp_file": False}))
    args = [sys.executable, "-m", "tap_spotify", "--config", str(config)]
    if state is not None:
        args += ["--state", str(state)]
    tap = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=base_env(),
                           cwd=out)
    sink = subprocess.Popen([str(target), "--config", str(out / "target.json")],
                            stdin=tap.stdout, stdout=(out / "state.jsonl").open("wb"),
                            stderr=subprocess.PIPE, env=base_env(), cwd=out)
    assert tap.stdout is not None
    tap.stdout.close()
    if stop:
        albums = out / "albums.jsonl"
        deadline = time.monotonic() + 120
        while not (albums.exists() and albums.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.05)
        tap.send_signal(signal.SIGTERM)
    _, err = tap.communicate(timeout=300)
    _, sink_err = sink.communicate(timeout=300)
    return tap.returncode, sink.returncode, err + sink_err


def records(out: Path, stream: str) -> list[dict]:
    path = out / f"{stream}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_sigterm_while_piping_into_target_jsonl(project: Meltano, tmp_path: Path):
    with EmulatorServer(EmulatorOptions(new_releases=400, seed=3, latency_ms=20)) as emu:
        config = tmp_path / "config.json"
        config.write_text(json.dumps({
            "client_id": emu.backend.options.client_id,
            "client_secret": emu.backend.options.client_secret,
            "api_url": emu.api_url, "auth_url": emu.token_url}))

        tap_code, target_code, err = pipe(project, config, tmp_path / "first", stop=True)
        assert tap_code == 128 + signal.SIGTERM, err.decode()
        assert target_code == 0, err.decode()[-3000:]  # every line it read was whole JSON
        assert b"stopped by SIGTERM" in err
        first = tmp_path / "first"
        states = (first / "state.jsonl").read_text().splitlines()
        assert states, "target-jsonl passed on no state"
        loaded = records(first, "albums")
        assert 0 < len(loaded) < 400

        (tmp_path / "state.json").write_text(states[-1])
        tap_code, target_code, err = pipe(project, config, tmp_path / "second",
                                          state=tmp_path / "state.json")
        assert (tap_code, target_code) == (0, 0), err.decode()

        listed = set(emu.backend.catalog.new_release_ids)
        both = [*loaded, *records(tmp_path / "second", "albums")]
        assert {a["id"] for a in both} == listed
        twice = [i for i, n in Counter(a["id"] for a in both).items() if n > 1]
        assert len(twice) <= 20  # at most the group the first run was in
