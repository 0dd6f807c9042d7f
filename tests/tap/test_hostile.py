"""A broken or hostile server never hangs the tap, gets its token, or loses data
without a word."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections import Counter

import pytest

from tests.tap.conftest import expected_tracks, tap_config


def api_requests(emu) -> int:
    counts = emu.backend.stats()["counts"]
    return sum(n for endpoint, n in counts.items() if endpoint != "token")


def test_pages_are_read_by_offset_on_the_api_host_whatever_next_says(make_emulator, tap_run):
    """With `total` known, pages are asked for by offset on the configured host: a
    `next` link elsewhere is never followed, and nothing is lost."""
    emu = make_emulator(new_releases=120, seed=2, track_counts=[120, 7])
    elsewhere = make_emulator(new_releases=120, seed=2)
    emu.backend.set_hostile(next_base=elsewhere.api_url)

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    assert elsewhere.backend.stats()["requests"] == []  # no request, so no token either
    listed = emu.backend.catalog.new_release_ids
    assert run.ids("new_releases") == listed
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))


def test_next_link_to_another_host_is_not_followed(make_emulator, tap_run):
    """Where `total` says there is no more, the pages' `next` links are followed: never
    to another host."""
    emu = make_emulator(new_releases=120, seed=2)
    elsewhere = make_emulator(new_releases=120, seed=2)
    emu.backend.set_hostile(next_base=elsewhere.api_url, total=5)

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    assert elsewhere.backend.stats()["requests"] == []  # no request, so no token either
    assert "points to another host" in run.stderr
    listed = emu.backend.catalog.new_release_ids
    assert run.ids("new_releases") == listed[:50]  # the first page, then it stopped


def test_a_looping_next_link_ends_the_listing(make_emulator, tap_run):
    emu = make_emulator(new_releases=120, seed=2)
    emu.backend.set_hostile(loop_next=True, total=5)

    run = tap_run(tap_config(emu), timeout=60)

    assert run.returncode == 0, run.stderr
    assert "leads back to a page already read" in run.stderr
    assert run.ids("new_releases") == emu.backend.catalog.new_release_ids[:50]
    assert emu.backend.stats()["counts"]["new_releases"] == 1


def test_a_huge_total_is_not_trusted(make_emulator, tap_run):
    """Pages are asked for a few at a time (max_concurrency ahead): the first empty
    one ends the listing, so a lying `total` costs a handful of requests, not millions."""
    emu = make_emulator(new_releases=60, seed=4)
    emu.backend.set_hostile(total=10**8)

    run = tap_run(tap_config(emu, max_concurrency=4), timeout=60)

    assert run.returncode == 0, run.stderr
    listed = emu.backend.catalog.new_release_ids
    assert run.ids("new_releases") == listed
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))
    assert emu.backend.stats()["counts"]["new_releases"] <= 2 + 4 + 1
    assert "reported 100000000 albums but its pages held 60" in run.stderr


def test_a_small_total_with_a_next_link_is_followed(make_emulator, tap_run):
    emu = make_emulator(new_releases=130, seed=4, track_counts=[120, 51, 7])
    emu.backend.set_hostile(total=5)

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    listed = emu.backend.catalog.new_release_ids
    assert run.ids("new_releases") == listed
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))


def test_a_server_that_ignores_offset_gets_a_warning(make_emulator, tap_run):
    emu = make_emulator(new_releases=120, seed=4)
    emu.backend.set_hostile(ignore_offset=True)

    run = tap_run(tap_config(emu), timeout=60)

    assert run.returncode == 0, run.stderr
    assert run.ids("new_releases") == emu.backend.catalog.new_release_ids[:50]
    assert "reported 120 albums but its pages held 50" in run.stderr


def test_a_body_that_trickles_in_meets_the_deadline(make_emulator, tap_run):
    emu = make_emulator(new_releases=3)
    emu.backend.set_hostile(trickle_ms=50)  # a token answer takes ~5 s at this pace

    started = time.monotonic()
    run = tap_run(tap_config(emu, request_timeout=1), timeout=120)

    assert run.returncode == 1
    assert time.monotonic() - started < 60
    assert "took longer than 1 s" in run.last_stderr_line
    assert run.last_stderr_line.startswith("tap-spotify: error:")
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("retry_after", ["inf", "1e12", "86400", "http-date"])
def test_absurd_retry_after_ends_with_the_max_retry_wait_line(make_emulator, tap_run,
                                                              retry_after):
    emu = make_emulator(new_releases=30)
    if retry_after == "http-date":
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=5)
        retry_after = email.utils.format_datetime(later, usegmt=True)
    emu.backend.script_429(retry_after=1, after=1)
    emu.backend.set_hostile(retry_after_raw=retry_after)

    run = tap_run(tap_config(emu), timeout=60)

    assert run.returncode == 1
    assert "max_retry_wait=600" in run.last_stderr_line
    assert "Traceback" not in run.stderr and "ERROR" not in run.stderr


def test_a_short_http_date_retry_after_is_waited_out(make_emulator, tap_run):
    emu = make_emulator(new_releases=30)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=3)
    emu.backend.script_429(retry_after=1, after=1)
    emu.backend.set_hostile(retry_after_raw=email.utils.format_datetime(later, usegmt=True))

    run = tap_run(tap_config(emu), timeout=60)

    assert run.returncode == 0, run.stderr
    assert len(run.ids("albums")) == 30


def test_an_unexpected_4xx_is_one_line(make_emulator, tap_run):
    emu = make_emulator(new_releases=30)
    emu.backend.set_hostile(status_for="/v1/albums", status_code=418)

    run = tap_run(tap_config(emu))

    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "ERROR" not in run.stderr
    assert run.last_stderr_line.startswith("tap-spotify: error: GET /v1/albums answered 418")


def test_a_refused_connection_fails_in_seconds(tap_run, emulator):
    started = time.monotonic()
    run = tap_run(tap_config(emulator, auth_url="http://127.0.0.1:9/api/token"))
    assert run.returncode == 1
    assert time.monotonic() - started < 20
    assert "127.0.0.1:9 refused the connection" in run.last_stderr_line


def test_an_unknown_host_name_fails_at_once(tap_run, emulator):
    run = tap_run(tap_config(emulator, auth_url="https://accounts.nowhere.invalid/api/token"))
    assert run.returncode == 1
    assert run.seconds < 15
    assert "could not resolve the host name accounts.nowhere.invalid" in run.last_stderr_line
    assert "Traceback" not in run.stderr
