"""`meltano run tap-spotify target-jsonl`: a full extraction, then incremental runs."""

from __future__ import annotations

from collections import Counter

from spotify_emulator import EmulatorServer
from tests.meltano.helpers import (
    Meltano,
    assert_exactly,
    expected_from,
    read_jsonl,
    tap_env,
)

STATE_ID = "dev:tap-spotify-to-target-jsonl"


def jsonl_run(project: Meltano, emu: EmulatorServer, out: str, *flags: str) -> dict:
    """One `meltano run` into its own output folder; the records it wrote, per stream."""
    project("run", *flags, "tap-spotify", "target-jsonl",
            env={**tap_env(emu), "TARGET_JSONL_DESTINATION_PATH": out})
    return read_jsonl(project.root / out)


def test_full_extraction_every_album_and_track_once(project: Meltano, spotify: EmulatorServer):
    expected = expected_from(spotify)
    counts = sorted(expected.total_tracks.values())
    assert {1, 50, 51, 120} <= set(counts), "catalog lacks the page-boundary albums"
    assert len(expected.listed) == 250

    records = jsonl_run(project, spotify, "out")

    assert_exactly(records, expected)
    # The file names are stable (no timestamp): output/<stream>.jsonl.
    assert sorted(p.name for p in (project.root / "out").iterdir()) == [
        "album_tracks.jsonl", "albums.jsonl", "new_releases.jsonl"]
    per_album = Counter(r["album_id"] for r in records["album_tracks"])
    for size in (1, 50, 51, 120):
        album = next(a for a, n in expected.total_tracks.items() if n == size)
        assert per_album[album] == size
    assert all(r["release_date_normalized"] for r in records["new_releases"])


def test_second_run_is_incremental_and_full_refresh_reextracts(
    project: Meltano, spotify: EmulatorServer
):
    catalog = spotify.backend.catalog
    first = jsonl_run(project, spotify, "run1")
    assert_exactly(first, expected_from(spotify))

    # Meltano kept the tap's bookmark in its system database.
    state = project.state(STATE_ID)
    bookmark = state["singer_state"]["bookmarks"]["new_releases"]
    assert bookmark["synced"] == list(catalog.new_release_ids)  # the listed albums synced

    # Nothing new: the second run emits no album and no track.
    second = jsonl_run(project, spotify, "run2")
    assert second == {"new_releases": [], "albums": [], "album_tracks": []}

    # New albums, one listed at the end and one dated by year only: the next run emits
    # exactly those, with their tracks.
    added = [
        spotify.backend.add_album(release_date=catalog.today.isoformat(), tracks=12),
        spotify.backend.add_album(release_date="2026-11-18", precision="day", tracks=51),
        spotify.backend.add_album(release_date="2026-11-13", tracks=3, list_first=False),
        spotify.backend.add_album(release_date="2026", precision="year", tracks=2),
    ]
    third = jsonl_run(project, spotify, "run3")
    assert_exactly(third, expected_from(spotify, added))

    fourth = jsonl_run(project, spotify, "run4")
    assert fourth == {"new_releases": [], "albums": [], "album_tracks": []}

    # --full-refresh ignores the bookmark: everything again, still each once.
    fifth = jsonl_run(project, spotify, "run5", "--full-refresh")
    assert_exactly(fifth, expected_from(spotify))
    assert len(fifth["new_releases"]) == 254
