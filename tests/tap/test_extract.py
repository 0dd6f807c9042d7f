"""Full runs against the emulator: completeness, request economy, determinism, tiers."""

from __future__ import annotations

import math
from collections import Counter

from tests.tap.conftest import expected_tracks, tap_config

SINGER_TYPES = {"SCHEMA", "RECORD", "STATE"}


def lower_bound(track_counts: list[int]) -> int:
    """Issue 7's minimum: new-release pages, album batches, extra track pages."""
    n = len(track_counts)
    return (math.ceil(n / 50) + math.ceil(n / 20)
            + sum(math.ceil(max(0, t - 50) / 50) for t in track_counts))


def test_every_album_and_track_exactly_once(make_emulator, tap_run):
    emu = make_emulator(new_releases=250, seed=7)
    listed = list(emu.backend.catalog.new_release_ids)
    counts = {len(emu.backend.catalog.albums[a].tracks) for a in listed}
    assert {1, 50, 51}.issubset(counts) and max(counts) > 100  # the awkward cases are there

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    assert {m["type"] for m in run.messages} <= SINGER_TYPES
    assert run.ids("new_releases") == listed
    assert run.ids("albums") == listed
    pairs = run.track_pairs()
    assert Counter(pairs) == Counter(expected_tracks(emu, listed))
    assert len(pairs) == len(set(pairs))
    albums = {r["id"]: r for r in run.records("albums")}
    assert all(r["album_id"] in albums for r in run.records("album_tracks"))
    assert all(albums[a]["total_tracks"] == len(emu.backend.catalog.albums[a].tracks)
               for a in listed)


def test_requests_equal_the_lower_bound(make_emulator, tap_run):
    emu = make_emulator(new_releases=130, seed=3)
    listed = emu.backend.catalog.new_release_ids
    tracks = [len(emu.backend.catalog.albums[a].tracks) for a in listed]

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    counts = emu.backend.stats()["counts"]
    assert counts.get("new_releases", 0) == math.ceil(len(listed) / 50)
    assert counts.get("several_albums", 0) == math.ceil(len(listed) / 20)
    assert counts.get("album_tracks", 0) == sum(math.ceil(max(0, t - 50) / 50) for t in tracks)
    assert counts.get("album", 0) == 0
    assert counts.get("token", 0) == 1
    api = sum(n for name, n in counts.items() if name != "token")
    assert api == lower_bound(tracks)


def test_output_is_the_same_whatever_the_concurrency(make_emulator, tap_run):
    emu = make_emulator(new_releases=90, seed=11, latency_ms=2)

    def records(concurrency: int) -> list[tuple[str, dict]]:
        run = tap_run(tap_config(emu, max_concurrency=concurrency))
        assert run.returncode == 0, run.stderr
        return [(m["stream"], m["record"]) for m in run.messages if m["type"] == "RECORD"]

    assert records(1) == records(8)


def test_development_tier_reads_new_releases_through_search(make_emulator, tap_run):
    emu = make_emulator(new_releases=60, seed=5, profile="development")
    found = emu.backend.tag_new_albums()
    assert found, "the catalog must hold albums released in the past two weeks"

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    assert sorted(run.ids("new_releases")) == sorted(found)
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, found))
    notices = [line for line in run.stderr.splitlines() if "source: search" in line]
    assert len(notices) == 1 and "403" in notices[0]
    counts = emu.backend.stats()["counts"]
    assert counts.get("album", 0) == len(found)
    assert counts.get("several_albums", 0) == 0
    # Stripped fields arrive as null or absent, and the records still validate.
    assert all(r.get("popularity") is None for r in run.records("albums"))


def test_forbidden_batch_endpoint_switches_to_single_albums(make_emulator, tap_run):
    emu = make_emulator(new_releases=45, seed=9, profile="development")
    emu.backend.set_profile("extended")  # new releases allowed...
    emu.backend.forbid("several_albums")  # ...but not the batch endpoint
    listed = list(emu.backend.catalog.new_release_ids)

    run = tap_run(tap_config(emu))

    assert run.returncode == 0, run.stderr
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))
    assert sum("403 to GET /albums?ids=" in line for line in run.stderr.splitlines()) == 1


def test_short_lived_tokens_are_renewed_not_requested_per_call(make_emulator, tap_run):
    emu = make_emulator(new_releases=200, seed=13, token_ttl=1, latency_ms=50)
    listed = list(emu.backend.catalog.new_release_ids)

    run = tap_run(tap_config(emu, max_concurrency=1, page_size=10))

    assert run.returncode == 0, run.stderr
    assert run.seconds > 2, "the run must outlive a token for this test to mean anything"
    assert Counter(run.track_pairs()) == Counter(expected_tracks(emu, listed))
    tokens = emu.backend.stats()["counts"]["token"]
    assert 2 <= tokens <= run.seconds / 1 + 1


def test_market_is_passed_and_tracks_carry_playability(make_emulator, tap_run):
    emu = make_emulator(new_releases=25, seed=2)
    run = tap_run(tap_config(emu, market="ES"))
    assert run.returncode == 0, run.stderr
    log = emu.backend.stats()["requests"]
    album_requests = [r for r in log if r["endpoint"] in ("several_albums", "album_tracks")]
    assert album_requests and all("market=ES" in r["query"] for r in album_requests)
    assert all("is_playable" in r for r in run.records("album_tracks"))


def test_browse_source_in_development_tier_says_what_to_change(make_emulator, tap_run):
    emu = make_emulator(new_releases=10, profile="development")
    run = tap_run(tap_config(emu, new_releases_source="browse"))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "403" in run.last_stderr_line
    assert "new_releases_source to auto or search" in run.last_stderr_line


def test_search_source_can_be_chosen_in_the_extended_tier(make_emulator, tap_run):
    emu = make_emulator(new_releases=30, seed=4)
    run = tap_run(tap_config(emu, new_releases_source="search"))
    assert run.returncode == 0, run.stderr
    assert sorted(run.ids("new_releases")) == sorted(emu.backend.tag_new_albums())
    counts = emu.backend.stats()["counts"]
    found = len(run.ids("new_releases"))
    assert counts.get("new_releases", 0) == 0 and counts["search"] == math.ceil(found / 10)
    assert counts["several_albums"] == math.ceil(found / 20)  # still allowed in this tier


def test_search_source_in_development_tier_probes_the_batch_endpoint_once(make_emulator,
                                                                           tap_run):
    emu = make_emulator(new_releases=200, seed=4, profile="development")
    run = tap_run(tap_config(emu, new_releases_source="search"))
    assert run.returncode == 0, run.stderr
    counts = emu.backend.stats()["counts"]
    assert counts["several_albums"] == 1  # one 403, then one request per album
    assert counts["album"] == len(run.ids("new_releases")) > 20
