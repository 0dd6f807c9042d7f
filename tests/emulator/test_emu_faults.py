"""Injected faults: each kind, token-endpoint opt-out, reproducibility, no state change."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.emulator.helpers import get_token, raw_request, split_response


@pytest.mark.parametrize(
    ("kind", "message"),
    [("500", "Server error"), ("502", "Bad gateway"), ("503", "Service unavailable")],
)
def test_status_faults(make_emulator: Any, kind: str, message: str) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=(kind,), faults_on_token=False)
    token = get_token(emu)
    resp = requests.get(
        emu.api_url + "/browse/new-releases",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    status = int(kind)
    assert resp.status_code == status
    assert resp.json() == {"error": {"status": status, "message": message}}
    log = emu.backend.stats()["requests"]
    assert log[-1]["fault"] == kind and log[-1]["status"] == status


def test_truncated_body(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=("truncated",), faults_on_token=False)
    token = get_token(emu)
    data, ending = raw_request(emu, "/v1/browse/new-releases", token)
    status, headers, body = split_response(data)
    assert status == 200 and ending == "eof"
    assert 0 < len(body) < int(headers["content-length"])
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(
            emu.api_url + "/browse/new-releases",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )


def test_connection_reset(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=("reset",), faults_on_token=False)
    token = get_token(emu)
    data, ending = raw_request(emu, "/v1/browse/new-releases", token)
    assert ending == "reset"
    if data:  # whatever arrived before the RST is an incomplete response
        _, headers, body = split_response(data)
        assert len(body) < int(headers["content-length"])
    # requests reports it as ConnectionError or ChunkedEncodingError(ConnectionResetError).
    with pytest.raises(requests.exceptions.RequestException, match=r"reset|Connection"):
        requests.get(
            emu.api_url + "/browse/new-releases",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )


def test_non_json_body(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=("non_json",), faults_on_token=False)
    token = get_token(emu)
    resp = requests.get(
        emu.api_url + "/browse/new-releases",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.text)


def test_faults_hit_token_endpoint_unless_disabled(make_emulator: Any) -> None:
    on = make_emulator(fault_rate=1.0, fault_kinds=("503",))
    off = make_emulator(fault_rate=1.0, fault_kinds=("503",), faults_on_token=False)
    data = {"grant_type": "client_credentials"}
    auth = ("emulator-client", "emulator-secret")
    assert requests.post(on.token_url, data=data, auth=auth, timeout=5).status_code == 503
    assert requests.post(off.token_url, data=data, auth=auth, timeout=5).status_code == 200


def test_faulted_token_requests_issue_nothing(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=("truncated", "non_json"))
    data = {"grant_type": "client_credentials"}
    for _ in range(4):
        with contextlib.suppress(requests.exceptions.RequestException):
            requests.post(
                emu.token_url, data=data, auth=("emulator-client", "emulator-secret"), timeout=5
            )
    by_fault = emu.backend.stats()["by_fault"]
    assert sum(by_fault.values()) == 4 and set(by_fault) <= {"truncated", "non_json"}
    emu.backend.set_faults(fault_rate=0.0)
    # The token sequence is untouched: the first real token equals a fresh emulator's first.
    with EmulatorServer(EmulatorOptions()) as fresh:
        assert get_token(emu) == get_token(fresh)


def _fault_sequence(emu: EmulatorServer, n: int) -> list[str | None]:
    token = get_token(emu)
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    for _ in range(n):
        try:
            s.get(emu.api_url + "/browse/new-releases", params={"limit": 2}, timeout=5)
        except requests.exceptions.RequestException:
            s.close()
    return [e["fault"] for e in emu.backend.stats()["requests"] if e["endpoint"] != "token"]


def test_faults_are_seeded_and_reproducible(make_emulator: Any) -> None:
    opts = dict(fault_rate=0.5, fault_seed=42, faults_on_token=False)
    first = _fault_sequence(make_emulator(**opts), 40)
    second = _fault_sequence(make_emulator(**opts), 40)
    other = _fault_sequence(make_emulator(**{**opts, "fault_seed": 43}), 40)
    assert first == second != other
    kinds = {f for f in first if f}
    assert 0 < first.count(None) < 40 and len(kinds) >= 4


def test_faults_do_not_change_catalog(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=0.7, faults_on_token=False, new_releases=10)
    before = [emu.backend.album_dict(i) for i in emu.backend.catalog.new_release_ids]
    _fault_sequence(emu, 30)
    after = [emu.backend.album_dict(i) for i in emu.backend.catalog.new_release_ids]
    assert before == after


def test_latency(make_emulator: Any) -> None:
    emu = make_emulator(latency_ms=60)
    start = time.monotonic()
    get_token(emu)
    assert time.monotonic() - start >= 0.06
    emu.backend.set_faults(latency_ms=0)
    entry = emu.backend.stats()["requests"][-1]
    assert entry["end"] - entry["start"] >= 0.06
