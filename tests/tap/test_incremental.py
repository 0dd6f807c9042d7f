"""Incremental runs: only new releases, only their tracks, small state, resumable."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from tap_spotify.release_window import normalize_release_date
from tests.tap.conftest import expected_tracks, tap_config


def bookmark_of(state: dict) -> dict:
    return state["bookmarks"]["new_releases"]


def test_second_run_emits_only_new_and_late_listed_albums(make_emulator, tap_run):
    emu = make_emulator(new_releases=120, seed=31)
    first = tap_run(tap_config(emu))
    assert first.returncode == 0, first.stderr
    assert len(first.ids("new_releases")) == 120
    bookmark = dt.date.fromisoformat(bookmark_of(first.state)["replication_key_value"])

    after = [emu.backend.add_album(release_date=(bookmark + dt.timedelta(days=d)).isoformat(),
                                   tracks=n) for d, n in ((1, 7), (2, 64))]
    late = emu.backend.add_album(release_date=(bookmark - dt.timedelta(days=3)).isoformat(),
                                 tracks=12, list_first=False)
    stale = emu.backend.add_album(release_date=(bookmark - dt.timedelta(days=30)).isoformat(),
                                  tracks=5)
    emu.backend.reset_stats()

    second = tap_run(tap_config(emu), state=first.state)

    assert second.returncode == 0, second.stderr
    new = [*after, late]
    assert sorted(second.ids("new_releases")) == sorted(new)
    assert stale not in second.ids("new_releases")
    assert sorted(second.ids("albums")) == sorted(new)
    assert Counter(second.track_pairs()) == Counter(expected_tracks(emu, new))
    requested = " ".join(r["path"] + "?" + r["query"] for r in emu.backend.stats()["requests"]
                         if r["endpoint"] in ("several_albums", "album", "album_tracks"))
    assert not [a for a in first.ids("new_releases") if a in requested]

    third = tap_run(tap_config(emu), state=second.state)
    assert third.returncode == 0, third.stderr
    assert third.ids("new_releases") == [] and third.records("album_tracks") == []


def test_first_run_honours_start_date(make_emulator, tap_run):
    emu = make_emulator(new_releases=80, seed=12, release_spread_days=60)
    start = "2026-11-01"
    expected = [a for a in emu.backend.catalog.new_release_ids
                if (normalize_release_date(emu.backend.catalog.albums[a].release_date) or "")
                >= start]
    assert 0 < len(expected) < 80

    run = tap_run(tap_config(emu, start_date=start))

    assert run.returncode == 0, run.stderr
    assert run.ids("new_releases") == expected
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, expected))


def test_state_stays_small_for_a_large_catalog(make_emulator, tap_run):
    emu = make_emulator(new_releases=5000, seed=5, release_spread_days=730,
                        track_counts=[1, 2, 3])
    run = tap_run(tap_config(emu), timeout=600)
    assert run.returncode == 0, run.stderr
    assert len(run.ids("new_releases")) == 5000
    size = len(json.dumps(run.state).encode())
    assert size < 8 * 1024, f"state is {size} bytes"
    assert all(len(json.dumps(s)) < 8 * 1024 for s in run.states)


def test_interrupted_run_resumes_without_losing_records(make_emulator, tap_run):
    # 400 albums take 81 requests; stopped at the 51st, the run has handed over some
    # groups of albums (album_fetcher.py) and so written state, but not all.
    emu = make_emulator(new_releases=400, seed=17)
    listed = list(emu.backend.catalog.new_release_ids)
    emu.backend.script_429(retry_after=86400, after=50)

    first = tap_run(tap_config(emu, page_size=20, max_concurrency=2))
    assert first.returncode != 0 and "max_retry_wait" in first.last_stderr_line
    assert first.states, "the stopped run must have emitted state"

    second = tap_run(tap_config(emu, page_size=20, max_concurrency=2), state=first.state)
    assert second.returncode == 0, second.stderr

    assert set(first.ids("new_releases")) | set(second.ids("new_releases")) == set(listed)
    assert set(first.ids("albums")) | set(second.ids("albums")) == set(listed)
    union = set(first.track_pairs()) | set(second.track_pairs())
    assert union == set(expected_tracks(emu, listed))
