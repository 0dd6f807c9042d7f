"""Rolling-window 429s in every variant, and the scripted one-shot long 429."""

from __future__ import annotations

import time
from typing import Any

import pytest

from spotify_emulator import EmulatorServer
from spotify_emulator.http.ratelimit import RateLimiter, Rejection
from tests.emulator.helpers import api, recorded_body, session

BODIES = {
    "classic": {"error": {"status": 429, "message": "API rate limit exceeded"}},
    "quota": {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}},
    "no_header": {"error": {"status": 429, "message": "API rate limit exceeded"}},
}


@pytest.mark.parametrize("variant", ["classic", "quota", "empty", "no_header"])
def test_window_429_variants(make_emulator: Any, variant: str) -> None:
    emu = make_emulator(rate_limit=3, retry_after=7, rate_limit_variant=variant)
    s = session(emu)
    statuses = [api(emu, s, "/browse/new-releases", limit=1).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    resp = api(emu, s, "/browse/new-releases", limit=1)
    assert resp.status_code == 429
    if variant == "no_header":
        assert "Retry-After" not in resp.headers
    else:
        assert resp.headers["Retry-After"] == "7"
    if variant == "empty":
        assert resp.content == b"" and resp.headers["Content-Length"] == "0"
    else:
        assert resp.json() == BODIES[variant]
    # The token endpoint is never rate limited.
    assert session(emu) is not None


def test_classic_body_matches_recording() -> None:
    assert recorded_body("jl_error_429_rate_limit.json") == BODIES["classic"]


def test_window_rolls(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit=2, rate_limit_window=0.5)
    s = session(emu)
    codes = [api(emu, s, "/browse/new-releases", limit=1).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    time.sleep(0.55)
    codes = [api(emu, s, "/browse/new-releases", limit=1).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_rejected_requests_do_not_fill_window(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit=1, rate_limit_window=0.4)
    s = session(emu)
    assert api(emu, s, "/browse/new-releases").status_code == 200
    for _ in range(5):
        assert api(emu, s, "/browse/new-releases").status_code == 429
    time.sleep(0.45)
    assert api(emu, s, "/browse/new-releases").status_code == 200


def test_scripted_long_429_is_one_shot(emulator: EmulatorServer) -> None:
    s = session(emulator)
    emulator.backend.script_429(retry_after=86400, after=2)
    codes = []
    for _ in range(5):
        resp = api(emulator, s, "/browse/new-releases", limit=1)
        codes.append(resp.status_code)
        if resp.status_code == 429:
            assert resp.headers["Retry-After"] == "86400"
            assert resp.json() == BODIES["classic"]
    assert codes == [200, 200, 429, 200, 200]


def test_scripted_429_variant_and_token_not_counted(emulator: EmulatorServer) -> None:
    s = session(emulator)
    emulator.backend.script_429(retry_after=60, after=1, variant="quota")
    assert api(emulator, s, "/browse/new-releases").status_code == 200
    session(emulator)  # token requests do not advance the script
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == 429 and resp.json() == BODIES["quota"]
    assert resp.headers["Retry-After"] == "60"


def test_scripted_429_from_options(make_emulator: Any) -> None:
    emu = make_emulator(script_429_after=0, script_429_retry_after=22708)
    s = session(emu)
    resp = api(emu, s, "/browse/new-releases")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "22708"
    assert api(emu, s, "/browse/new-releases").status_code == 200


def test_set_rate_limit_at_runtime(emulator: EmulatorServer) -> None:
    s = session(emulator)
    emulator.backend.set_rate_limit(rate_limit=1, retry_after=3)
    assert api(emulator, s, "/browse/new-releases").status_code == 200
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3"
    emulator.backend.set_rate_limit(rate_limit=None)
    assert api(emulator, s, "/browse/new-releases").status_code == 200


def test_retry_after_is_the_wait_until_a_slot_frees(make_emulator: Any) -> None:
    """Default: whole seconds until the oldest admitted request leaves the window."""
    emu = make_emulator(rate_limit=2, rate_limit_window=2.5)
    s = session(emu)
    assert [api(emu, s, "/browse/new-releases").status_code for _ in range(2)] == [200, 200]
    resp = api(emu, s, "/browse/new-releases")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3"  # ceil(~2.49)
    time.sleep(1.0)
    assert api(emu, s, "/browse/new-releases").headers["Retry-After"] == "2"  # ceil(~1.49)
    time.sleep(float(resp.headers["Retry-After"]) - 1.0)
    assert api(emu, s, "/browse/new-releases").status_code == 200  # waiting it out works


def test_computed_retry_after_exactly() -> None:
    """Against a fake clock: ceil of the wait, never below 1."""
    now = [100.0]
    limiter = RateLimiter(2, 30.0, None, "classic", lambda: now[0])
    assert limiter.check() is None
    now[0] = 110.0
    assert limiter.check() is None
    for at, expected in ((110.0, 20), (120.5, 10), (129.2, 1), (129.99, 1)):
        now[0] = at
        rejection = limiter.check()
        assert rejection is not None and rejection.retry_after == expected
    now[0] = 130.0  # the first admitted request has left the window
    assert limiter.check() is None
    assert RateLimiter(0, 30.0, None, "classic", lambda: 0.0).check() == Rejection("classic", 30)


def test_fixed_retry_after_still_possible(emulator: EmulatorServer) -> None:
    s = session(emulator)
    emulator.backend.set_rate_limit(rate_limit=0, retry_after=9)
    assert api(emulator, s, "/browse/new-releases").headers["Retry-After"] == "9"
    emulator.backend.set_rate_limit(retry_after=None, rate_limit_window=4)
    assert api(emulator, s, "/browse/new-releases").headers["Retry-After"] == "4"
