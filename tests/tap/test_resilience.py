"""Bad days: faults, rate limits, expired tokens, albums that vanish, and bad input."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.tap.conftest import expected_tracks, tap_config


def expire_tokens_after(emu, requests: int, timeout: float = 60) -> threading.Thread:
    """Start a thread that expires every token once the emulator has served `requests`
    more requests (so the tap meets a 401 mid-run)."""

    def total() -> int:
        return sum(emu.backend.stats()["counts"].values())

    target = total() + requests

    def wait_then_expire() -> None:
        deadline = time.monotonic() + timeout
        while total() < target and time.monotonic() < deadline:
            time.sleep(0.005)
        emu.backend.expire_tokens()

    thread = threading.Thread(target=wait_then_expire)
    thread.start()
    return thread


def test_chaos_run_loses_and_duplicates_nothing(make_emulator, tap_run):
    """About 15% faults, a tight rate limit with Retry-After 1 s, tokens living 5 s."""
    clean = make_emulator(new_releases=200, seed=21)
    baseline = tap_run(tap_config(clean, page_size=10))
    assert baseline.returncode == 0, baseline.stderr

    chaos = make_emulator(new_releases=200, seed=21, fault_rate=0.15, fault_seed=4,
                          rate_limit=12, rate_limit_window=2.0, retry_after=1, token_ttl=5)
    run = tap_run(tap_config(chaos, page_size=10))

    assert run.returncode == 0, run.stderr
    by_status = chaos.backend.stats()["by_status"]
    assert by_status.get("429", 0) > 0, "the rate limit must have bitten"
    assert sum(by_status.get(code, 0) for code in ("500", "502", "503")) > 0
    faults = Counter(r.get("fault") for r in chaos.backend.stats()["requests"] if r.get("fault"))
    assert {"reset", "truncated", "non_json"} & set(faults), faults
    for stream in ("new_releases", "albums"):
        assert Counter(run.ids(stream)) == Counter(baseline.ids(stream))
    assert Counter(run.track_pairs()) == Counter(baseline.track_pairs())
    assert len(run.track_pairs()) == len(set(run.track_pairs()))


@pytest.mark.parametrize("variant", ["classic", "quota"])
def test_a_day_long_retry_after_stops_the_run_at_once(make_emulator, tap_run, variant):
    emu = make_emulator(new_releases=300, seed=1)
    emu.backend.script_429(retry_after=86400, after=30, variant=variant)

    run = tap_run(tap_config(emu, page_size=20, max_concurrency=1))

    assert run.returncode != 0
    assert run.seconds < 60, "must not wait out the Retry-After"
    line = run.last_stderr_line
    assert line.startswith("tap-spotify: error:") and "Traceback" not in run.stderr
    assert "86400 s" in line and "max_retry_wait=600" in line and "UTC" in line
    if variant == "quota":
        assert "QUOTA_EXCEEDED" in line
    # What was emitted before is intact: whole Singer messages, a state among them.
    assert run.states and run.records("new_releases")


def test_retry_after_within_the_limit_is_waited_out(make_emulator, tap_run):
    emu = make_emulator(new_releases=30, seed=1)
    emu.backend.script_429(retry_after=2, after=2)

    run = tap_run(tap_config(emu, max_retry_wait=5))

    assert run.returncode == 0, run.stderr
    assert run.seconds >= 2
    assert emu.backend.stats()["by_status"].get("429") == 1
    assert len(run.ids("new_releases")) == 30


def test_token_expiring_mid_run_is_renewed(make_emulator, tap_run):
    emu = make_emulator(new_releases=150, seed=8, latency_ms=15)
    listed = list(emu.backend.catalog.new_release_ids)

    expirer = expire_tokens_after(emu, 4)
    run = tap_run(tap_config(emu, max_concurrency=4))
    expirer.join()

    assert run.returncode == 0, run.stderr
    stats = emu.backend.stats()
    assert stats["by_status"].get("401", 0) >= 1
    assert stats["counts"]["token"] == 2
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))


def test_second_401_for_the_same_request_fails_clearly(make_emulator, tap_run):
    emu = make_emulator(new_releases=10, token_ttl=1e-6)  # expired before it arrives
    run = tap_run(tap_config(emu))
    assert run.returncode != 0
    assert "401" in run.last_stderr_line and "new access token" in run.last_stderr_line
    assert "Traceback" not in run.stderr


def test_album_gone_between_listing_and_fetching_is_skipped_with_a_warning(make_emulator,
                                                                             tap_run):
    emu = make_emulator(new_releases=40, seed=6)
    listed = list(emu.backend.catalog.new_release_ids)
    gone = listed[7]
    emu.backend.make_unavailable(gone)

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    assert any(gone in line and "skipping" in line for line in run.stderr.splitlines())
    kept = [a for a in listed if a != gone]
    assert run.ids("albums") == kept
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, kept))


BAD_SETTINGS = [
    ({"client_id": ""}, "client_id"),
    ({"client_id": None}, "client_id"),
    ({"client_secret": "  "}, "client_secret"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 51}, "page_size"),
    ({"market": "ESP"}, "market"),
    ({"start_date": "last tuesday"}, "start_date"),
    ({"api_url": "http://api.example.com/v1"}, "api_url"),
    ({"auth_url": "http://10.1.2.3/api/token"}, "auth_url"),
    ({"new_releases_source": "radio"}, "new_releases_source"),
    ({"max_concurrency": 0}, "max_concurrency"),
]


@pytest.mark.parametrize(("overrides", "setting"), BAD_SETTINGS,
                         ids=[f"{s}={o[s]!r}" for o, s in BAD_SETTINGS])
def test_bad_setting_is_one_clear_line(make_emulator, tap_run, overrides, setting):
    emu = make_emulator(new_releases=3)
    config = {k: v for k, v in tap_config(emu, **overrides).items() if v is not None}

    run = tap_run(config)

    assert run.returncode != 0
    assert run.stdout == b""
    assert "Traceback" not in run.stderr
    assert run.last_stderr_line.startswith("tap-spotify: error:")
    assert setting in run.last_stderr_line
    assert emu.backend.stats()["counts"].get("token", 0) == 0  # nothing was sent


def test_rejected_secret_quotes_spotify(make_emulator, tap_run):
    emu = make_emulator(new_releases=3)
    run = tap_run(tap_config(emu, client_secret="not-the-secret"))
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "Invalid client secret" in run.last_stderr_line
    assert "client_secret" in run.last_stderr_line


def test_unknown_client_quotes_spotify(make_emulator, tap_run):
    emu = make_emulator(new_releases=3)
    run = tap_run(tap_config(emu, client_id="nobody"))
    assert run.returncode != 0
    assert "Invalid client" in run.last_stderr_line


def test_secrets_never_leave_the_process(make_emulator, tap_run):
    """Success, a 401, a 429 and a rejected secret: no secret or token in any output."""
    secret = "S3CRET-7f1c9a0e-tap-spotify-test"
    emu = make_emulator(new_releases=150, seed=4, client_secret=secret, latency_ms=40)
    outputs: list[bytes] = []

    def keep(run) -> None:
        outputs.extend([run.stdout, run.stderr.encode()])

    keep(tap_run(tap_config(emu)))  # success

    expirer = expire_tokens_after(emu, 4)
    keep(tap_run(tap_config(emu, max_concurrency=2)))  # a 401 mid-run
    expirer.join()
    assert emu.backend.stats()["by_status"].get("401")
    emu.backend.script_429(retry_after=86400, after=2)
    keep(tap_run(tap_config(emu)))  # a 429 that stops the run
    keep(tap_run(tap_config(emu, client_secret=secret + "-wrong")))  # a rejected secret

    tokens = emu.backend.tokens.issued()
    assert len(tokens) >= 3
    everything = b"\n".join(outputs)
    assert secret.encode() not in everything
    for token in tokens:
        assert token.encode() not in everything


@pytest.mark.parametrize("variant", ["classic", "quota", "empty", "no_header"])
def test_every_rate_limit_answer_is_waited_out(make_emulator, tap_run, variant):
    """Spotify's classic and QUOTA_EXCEEDED bodies, an empty body, no Retry-After."""
    emu = make_emulator(new_releases=45, seed=2, rate_limit=5, rate_limit_window=1.0,
                        retry_after=1, rate_limit_variant=variant)
    listed = list(emu.backend.catalog.new_release_ids)

    run = tap_run(tap_config(emu, page_size=20))

    assert run.returncode == 0, run.stderr
    assert emu.backend.stats()["by_status"].get("429", 0) > 0
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))


def test_retry_after_is_read_in_any_header_case():
    from requests import Response

    from tap_spotify.errors import retry_after

    for name in ("Retry-After", "retry-after", "RETRY-AFTER"):
        response = Response()
        response.headers[name] = " 7 "
        assert retry_after(response) == 7.0
    assert retry_after(Response()) is None
