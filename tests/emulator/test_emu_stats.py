"""Counters, request log and reset, in-process and over /_emulator/*."""

from __future__ import annotations

from typing import Any

import requests

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import api, session

ENDPOINTS = {"token", "new_releases", "several_albums", "album", "album_tracks", "search"}


def _exercise(emu: EmulatorServer) -> None:
    s = session(emu)
    album = emu.backend.catalog.new_release_ids[0]
    api(emu, s, "/browse/new-releases")
    api(emu, s, "/browse/new-releases", offset=20)
    api(emu, s, "/albums", ids=album)
    api(emu, s, f"/albums/{album}")
    api(emu, s, f"/albums/{album}/tracks")
    api(emu, s, "/search", q="tag:new", type="album")
    api(emu, s, "/albums/bad")
    requests.get(emu.api_url + "/browse/new-releases", timeout=5)


def test_counts_and_log(emulator: EmulatorServer) -> None:
    _exercise(emulator)
    stats = emulator.backend.stats()
    assert stats["counts"] == {
        "token": 1,
        "new_releases": 3,
        "several_albums": 1,
        "album": 2,
        "album_tracks": 1,
        "search": 1,
    }
    assert stats["by_status"] == {"200": 7, "400": 1, "401": 1}
    log = stats["requests"]
    assert len(log) == 9
    assert set(log[0]) == {"method", "path", "query", "endpoint", "status", "start", "end", "fault"}
    assert log[0]["endpoint"] == "token" and log[0]["method"] == "POST"
    second = log[2]
    assert second["path"] == "/v1/browse/new-releases" and second["query"] == "offset=20"
    assert all(e["start"] <= e["end"] for e in log)
    assert [e["start"] for e in log] == sorted(e["start"] for e in log)


def test_reset_in_process(emulator: EmulatorServer) -> None:
    _exercise(emulator)
    emulator.backend.reset_stats()
    stats = emulator.backend.stats()
    assert stats["counts"] == dict.fromkeys(ENDPOINTS, 0)
    assert stats["requests"] == [] and stats["by_status"] == {}


def test_stats_over_http_and_reset(emulator: EmulatorServer) -> None:
    _exercise(emulator)
    stats = requests.get(emulator.base_url + "/_emulator/stats", timeout=5).json()
    assert stats["counts"]["new_releases"] == 3 and len(stats["requests"]) == 9
    assert requests.post(emulator.base_url + "/_emulator/reset", timeout=5).ok
    stats = requests.get(emulator.base_url + "/_emulator/stats", timeout=5).json()
    assert stats["counts"] == dict.fromkeys(ENDPOINTS, 0) and stats["requests"] == []


def test_admin_is_never_counted_faulted_or_limited(make_emulator: Any) -> None:
    emu = make_emulator(rate_limit=0, fault_rate=1.0)
    for _ in range(5):
        resp = requests.get(emu.base_url + "/_emulator/stats", timeout=5)
        assert resp.status_code == 200
    assert resp.json()["requests"] == []
    assert requests.get(emu.base_url + "/_emulator/catalog", timeout=5).json()["new_releases"]


def test_admin_controls(emulator: EmulatorServer) -> None:
    base = emulator.base_url + "/_emulator"
    s = session(emulator)
    assert requests.post(base + "/script_429?after=0&retry_after=99", timeout=5).ok
    resp = api(emulator, s, "/browse/new-releases")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "99"
    added = requests.post(base + "/add_album?tracks=3&release_date=2026-11-19", timeout=5).json()
    assert (
        api(emulator, s, "/browse/new-releases", limit=1).json()["albums"]["items"][0]["id"]
        == added["id"]
    )
    assert requests.post(base + f"/make_unavailable?id={added['id']}", timeout=5).ok
    assert api(emulator, s, f"/albums/{added['id']}").status_code == 404
    assert requests.post(base + "/faults?fault_rate=1&fault_kinds=502", timeout=5).ok
    assert api(emulator, s, "/browse/new-releases").status_code == 502
    assert requests.post(base + "/faults?fault_rate=0", timeout=5).ok
    assert requests.post(base + "/rate_limit?rate_limit=0&retry_after=5", timeout=5).ok
    assert api(emulator, s, "/browse/new-releases").headers["Retry-After"] == "5"
    assert requests.post(base + "/rate_limit?rate_limit=none", timeout=5).ok
    assert requests.post(base + "/expire_tokens", timeout=5).ok
    assert api(emulator, s, "/browse/new-releases").status_code == 401
    assert requests.post(base + "/faults?fault_rate=7", timeout=5).status_code == 400
    assert requests.get(base + "/nope", timeout=5).status_code == 404
