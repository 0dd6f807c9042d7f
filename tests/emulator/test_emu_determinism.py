"""Same seed and options -> same catalog and byte-identical responses."""

from __future__ import annotations

import json
from typing import Any

import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.catalog.generate import generate_catalog


def _transcript(emu: EmulatorServer) -> list[bytes]:
    """Raw bodies of a fixed script of requests, with the origin made neutral."""
    out = []
    s = requests.Session()
    token_resp = s.post(
        emu.token_url,
        data={"grant_type": "client_credentials"},
        auth=(emu.options.client_id, emu.options.client_secret),
        timeout=5,
    )
    out.append(token_resp.content)
    s.headers["Authorization"] = f"Bearer {token_resp.json()['access_token']}"
    ids = emu.backend.catalog.new_release_ids
    paths = [
        "/browse/new-releases?limit=50",
        "/browse/new-releases?limit=50&offset=50",
        "/albums?ids=" + ",".join(ids[:20]),
        "/albums?ids=" + ",".join(ids[20:40]) + "&market=ES",
        *(f"/albums/{i}" for i in ids[:10]),
        *(f"/albums/{i}/tracks?limit=50&market=US" for i in ids[:10]),
        "/search?q=tag:new&type=album&limit=10&offset=10",
    ]
    for path in paths:
        out.append(s.get(emu.api_url + path, timeout=5).content)
    return [body.replace(emu.base_url.encode(), b"ORIGIN") for body in out]


def test_same_seed_same_bytes() -> None:
    opts = EmulatorOptions(seed=7, new_releases=60)
    with EmulatorServer(opts) as a, EmulatorServer(opts) as b:
        assert a.port != b.port
        assert _transcript(a) == _transcript(b)


def test_other_seed_other_catalog() -> None:
    a = generate_catalog(EmulatorOptions(seed=1, new_releases=30))
    b = generate_catalog(EmulatorOptions(seed=2, new_releases=30))
    assert a.new_release_ids != b.new_release_ids


def test_catalog_equal_structurally() -> None:
    a = generate_catalog(EmulatorOptions(seed=3, new_releases=50, back_catalog=10))
    b = generate_catalog(EmulatorOptions(seed=3, new_releases=50, back_catalog=10))
    assert a == b


def test_added_albums_are_deterministic(make_emulator: Any) -> None:
    a, b = make_emulator(seed=5), make_emulator(seed=5)
    added = a.backend.add_album(tracks=4)
    assert added == b.backend.add_album(tracks=4)
    dump_a = json.dumps(a.backend.album_dict(added)).replace(a.base_url, "ORIGIN")
    dump_b = json.dumps(b.backend.album_dict(added)).replace(b.base_url, "ORIGIN")
    assert dump_a == dump_b


def test_ten_thousand_albums() -> None:
    """Generates in seconds (timed in benchmarks/emulator_bench.py, not asserted here)."""
    catalog = generate_catalog(EmulatorOptions(new_releases=10_000, back_catalog=0))
    assert len(catalog.new_release_ids) == 10_000 == len(catalog.albums)
    assert {1, 50, 51, 120} <= {a.total_tracks for a in catalog.new_releases}
