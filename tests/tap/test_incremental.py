"""Incremental new_releases: every newly listed album once, small state, resumable."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.tap.conftest import expected_tracks, tap_config


def synced_of(state: dict) -> list[str]:
    return state["bookmarks"]["new_releases"]["synced"]


def test_second_run_emits_every_newly_listed_album_whatever_its_date(make_emulator, tap_run):
    emu = make_emulator(new_releases=120, seed=31)
    first = tap_run(tap_config(emu))
    assert first.returncode == 0, first.stderr
    assert len(first.ids("new_releases")) == 120
    assert synced_of(first.state) == list(emu.backend.catalog.new_release_ids)

    backend = emu.backend
    new = [
        backend.add_album(release_date="2026", precision="year", tracks=7),
        backend.add_album(release_date="2026-11", precision="month", tracks=64),
        backend.add_album(release_date="2026-09-21", tracks=12),  # listed 60 days late
        backend.add_album(release_date="2026-11-19", tracks=3, list_first=False),
    ]
    # and one inserted mid-list
    mid = backend.add_album(release_date="2026-11-18", tracks=5, listed=False)
    ids = list(backend.catalog.new_release_ids)
    backend.catalog.new_release_ids = [*ids[:60], mid, *ids[60:]]
    new.append(mid)
    backend.reset_stats()

    second = tap_run(tap_config(emu), state=first.state)

    assert second.returncode == 0, second.stderr
    assert sorted(second.ids("new_releases")) == sorted(new)
    assert sorted(second.ids("albums")) == sorted(new)
    assert Counter(second.track_pairs()) == Counter(expected_tracks(emu, new))
    requested = " ".join(r["path"] + "?" + r["query"] for r in backend.stats()["requests"]
                         if r["endpoint"] in ("several_albums", "album", "album_tracks"))
    assert not [a for a in first.ids("new_releases") if a in requested]

    third = tap_run(tap_config(emu), state=second.state)
    assert third.returncode == 0, third.stderr
    assert third.ids("new_releases") == [] and third.records("album_tracks") == []


def test_first_run_honours_start_date_at_the_precision_spotify_gives(make_emulator, tap_run):
    emu = make_emulator(new_releases=80, seed=12, release_spread_days=60)
    year_only = emu.backend.add_album(release_date="2026", precision="year", tracks=2)
    start = "2026-11-01"
    albums = emu.backend.catalog.albums
    expected = [a for a in emu.backend.catalog.new_release_ids  # compared at its precision
                if albums[a].release_date >= start[:len(albums[a].release_date)]]
    assert year_only in expected and 1 < len(expected) < 81

    run = tap_run(tap_config(emu, start_date=start))

    assert run.returncode == 0, run.stderr
    assert run.ids("new_releases") == expected
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, expected))
    # albums skipped by start_date count as handled: the next run does not emit them
    again = tap_run(tap_config(emu, start_date=start), state=run.state)
    assert again.ids("new_releases") == []


def test_unusable_and_future_dates_are_emitted_never_skipped(make_emulator, tap_run):
    emu = make_emulator(new_releases=5, seed=3)
    zero = emu.backend.add_album(release_date="0000", precision="year", tracks=1)
    future = emu.backend.add_album(release_date="2031-01-01", tracks=1)

    run = tap_run(tap_config(emu, start_date="2026-01-01"))

    assert run.returncode == 0, run.stderr
    assert {zero, future} <= set(run.ids("new_releases"))
    record = next(r for r in run.records("new_releases") if r["id"] == zero)
    assert record["release_date_normalized"] is None
    assert f"Album {zero} has an unusable release date" in run.stderr


def test_state_stays_as_small_as_the_listing_over_repeated_runs(make_emulator, tap_run):
    emu = make_emulator(new_releases=300, seed=5, track_counts=[1, 2, 3])
    state = None
    sizes = []
    for _ in range(4):
        for _ in range(50):  # the list moves on: 50 new albums, the 50 oldest leave it
            emu.backend.add_album(tracks=1)
        emu.backend.catalog.new_release_ids = emu.backend.catalog.new_release_ids[:300]
        run = tap_run(tap_config(emu), state=state)
        assert run.returncode == 0, run.stderr
        state = run.state
        sizes.append(len(json.dumps(synced_of(state))))
        assert all(len(json.dumps(s)) < 300 * 30 for s in run.states)
    assert len(synced_of(state)) == 300
    assert sizes[-1] <= 300 * 30 and max(sizes) == min(sizes)


def test_stopped_run_resumes_losing_nothing_and_repeating_one_group_at_most(
        make_emulator, tap_run):
    emu = make_emulator(new_releases=400, seed=17)
    listed = list(emu.backend.catalog.new_release_ids)
    emu.backend.script_429(retry_after=86400, after=30)

    first = tap_run(tap_config(emu, page_size=20))
    assert first.returncode != 0 and "max_retry_wait" in first.last_stderr_line
    assert first.states, "the stopped run must have emitted state"

    second = tap_run(tap_config(emu, page_size=20), state=first.state)
    assert second.returncode == 0, second.stderr

    assert set(first.ids("new_releases")) | set(second.ids("new_releases")) == set(listed)
    assert set(first.ids("albums")) | set(second.ids("albums")) == set(listed)
    union = set(first.track_pairs()) | set(second.track_pairs())
    assert union == set(expected_tracks(emu, listed))
    again = set(first.ids("albums")) & set(second.ids("albums"))
    assert len(again) <= 20, f"{len(again)} albums emitted twice"


def test_sigterm_then_resume_loses_nothing(make_emulator, tmp_path: Path):
    emu = make_emulator(new_releases=300, seed=8, latency_ms=15)
    listed = list(emu.backend.catalog.new_release_ids)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(emu)))
    with (tmp_path / "stderr").open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "tap_spotify", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=stderr, cwd=tmp_path)
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(400)]  # well into the run
        proc.send_signal(signal.SIGTERM)
        lines += proc.stdout.read().splitlines(keepends=True)
        proc.wait(timeout=60)
    err = (tmp_path / "stderr").read_bytes()
    assert proc.returncode == 128 + signal.SIGTERM, err.decode()
    assert all(line.endswith(b"\n") for line in lines)
    messages = [json.loads(line) for line in lines]
    assert messages[-1]["type"] == "STATE"
    assert "stopped by SIGTERM" in err.decode().splitlines()[-1]

    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(messages[-1]["value"]))
    started = time.monotonic()
    rest = subprocess.run([sys.executable, "-m", "tap_spotify", "--config", str(config),
                           "--state", str(state_file)], capture_output=True, cwd=tmp_path,
                          timeout=120, check=False)
    assert rest.returncode == 0, rest.stderr.decode()
    assert time.monotonic() - started < 120
    more = [json.loads(line) for line in rest.stdout.splitlines()]
    albums = {m["record"]["id"] for m in messages + more
              if m["type"] == "RECORD" and m["stream"] == "albums"}
    assert albums == set(listed)
    tracks = {(m["record"]["album_id"], m["record"]["id"]) for m in messages + more
              if m["type"] == "RECORD" and m["stream"] == "album_tracks"}
    assert tracks == set(expected_tracks(emu, listed))
