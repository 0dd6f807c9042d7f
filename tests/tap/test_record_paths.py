"""Records are the same whether they take the raw fast path or the SDK's full path."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.tap.conftest import tap_config


def _by_key(records: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["album_id"], r["id"]): r for r in records}


def test_stream_maps_and_flattening_see_real_values(make_emulator, tap_run):
    emu = make_emulator(new_releases=30, seed=3)
    plain = tap_run(tap_config(emu))
    mapped = tap_run(tap_config(
        emu,
        stream_maps={"album_tracks": {"available_markets": None,
                                      "name_hash": "md5(name)",
                                      "label": "name + ' #' + str(track_number)"}},
        flattening_enabled=True, flattening_max_depth=1,
    ))
    assert plain.returncode == 0 and mapped.returncode == 0, mapped.stderr

    before = _by_key(plain.records("album_tracks"))
    after = _by_key(mapped.records("album_tracks"))
    assert before.keys() == after.keys()
    for key, record in after.items():
        original = before[key]
        assert "available_markets" not in record
        assert record["label"] == f"{original['name']} #{original['track_number']}"
        assert len(record["name_hash"]) == 32
        assert record["external_urls__spotify"] == original["external_urls"]["spotify"]
    albums = mapped.records("albums")
    assert albums and all("external_ids__upc" in a for a in albums)


def test_deselected_fields_are_left_out(make_emulator, tap_run, tmp_path: Path):
    emu = make_emulator(new_releases=10, seed=3)
    config = tap_config(emu)
    discovered = tap_run(config, extra_args=("--discover",), singer_output=False)
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = True
            elif entry["breadcrumb"][-1] in ("available_markets", "preview_url"):
                entry["metadata"]["selected"] = False
    run = tap_run(config, catalog=catalog)

    assert run.returncode == 0, run.stderr
    tracks = run.records("album_tracks")
    assert tracks and all("available_markets" not in t and "preview_url" not in t
                          for t in tracks)
    assert all("album_id" in t and "duration_ms" in t for t in tracks)


def test_batch_files_hold_decoded_records(make_emulator, tap_run, tmp_path: Path):
    emu = make_emulator(new_releases=12, seed=3)
    batch_dir = tmp_path / "batches"
    batch_dir.mkdir()
    run = tap_run(tap_config(emu, batch_config={
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": f"file://{batch_dir}", "prefix": "spotify-"},
    }))

    assert run.returncode == 0, run.stderr
    tracks = []
    for message in run.messages:
        if message["type"] == "BATCH" and message["stream"] == "album_tracks":
            for url in message["manifest"]:
                with gzip.open(url.removeprefix("file://"), "rt") as lines:
                    tracks += [json.loads(line) for line in lines]
    catalog = emu.backend.catalog
    expected = sum(len(catalog.albums[a].tracks) for a in catalog.new_release_ids)
    assert len(tracks) == expected and all("album_id" in t for t in tracks)
