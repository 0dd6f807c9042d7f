"""Three listeners in one warehouse, on DuckDB and on PostgreSQL: each listener's rows are
exactly their own data (no key collides), every mart is per listener, days and hours are
in each listener's own time zone, and the comparisons (shared top artists, library
overlap, who played an artist first) match the emulator's data. `listener` is not in
the second run: their rows stay."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from spotify_emulator import EmulatorServer
from tests.analytics import expected
from tests.analytics.conftest import ADAPTERS, HOUSEHOLD, Built

pytestmark = pytest.mark.timeout(1800)

PER_LISTENER = {
    "listeners": "select listener_id, display_name, time_zone, is_described "
                 "from analytics.dim_listeners order by 1",
    "plays": "select listener_id, source, count(*), count(api_played_at), sum(ms_played) "
             "from analytics.fct_plays group by 1, 2 order by 1, 2",
    "play_keys": "select count(*), count(distinct listener_id || '|' || play_id) "
                 "from analytics.fct_plays",
    "saved_tracks": "select listener_id, track_id from analytics.bridge_listener_saved_tracks",
    "saved_albums": "select listener_id, album_id from analytics.bridge_listener_saved_albums",
    "followed": "select listener_id, artist_id from analytics.bridge_listener_followed_artists",
    "top_artists": "select listener_id, count(*) from analytics.fct_top_artist_snapshots "
                   "group by 1",
    "top_tracks": "select listener_id, count(*) from analytics.fct_top_track_snapshots "
                  "group by 1",
    "playlist_items": "select listener_id, count(*) from analytics.bridge_playlist_items "
                      "group by 1",
    "synced": "select listener_id from spotify.listeners order by 1",
}
LOCAL_TIME = {
    "late_evening": "select started_at, played_on, local_hour, local_weekday "
                    "from analytics.fct_plays where listener_id = 'listener' "
                    "and started_at = timestamp '2025-01-15 23:30:00'",
    "daily": "select listener_id, played_on, plays from analytics.agg_listening_daily",
    "grid": "select listener_id, local_weekday, local_hour, plays "
            "from analytics.agg_listening_weekday_hour where plays > 0",
    "cells": "select listener_id, count(*) from analytics.agg_listening_weekday_hour "
             "group by 1 order by 1",
}
COMPARISONS = {
    "overlap": "select listener_id, other_listener_id, library, items, other_items, "
               "shared_items from analytics.agg_library_overlap",
    "shared_top": "select listener_id, other_listener_id, artist_id, best_rank, "
                  "other_best_rank from analytics.agg_shared_top_artists",
    "first": "select artist_name, listener_id from analytics.fct_artist_first_plays "
             "where household_order = 1 and household_listeners > 1",
}


def all_plays(emu: EmulatorServer, built: Built) -> dict[str, expected.Plays]:
    return {built.listener_ids[user]: expected.plays(emu, user, built.listening[user], api=True)
            for user in HOUSEHOLD}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_each_listeners_rows_are_their_own_data(
        adapter: str, household_warehouse: Callable[[str], Built], emu: EmulatorServer):
    built = household_warehouse(adapter)
    got = built.warehouse.queries(PER_LISTENER)
    ids = built.listener_ids
    users = {ids[u]: emu.backend.users.user(u) for u in HOUSEHOLD}
    assert got["listeners"] == sorted(
        (ids[u], users[ids[u]].display_name, HOUSEHOLD[u] or "UTC", True) for u in HOUSEHOLD)
    # `listener` was not in the second run: still described, still all there.
    assert got["synced"] == sorted((ids[u],) for u in HOUSEHOLD)

    plays = all_plays(emu, built)
    want_plays = []
    for listener, p in sorted(plays.items()):
        want_plays.append((listener, "history", p.history_rows, len(p.matched),
                           p.history_ms))
        if p.api_only:
            n = len(p.api_only)
            want_plays.append((listener, "recently_played", n, n,
                               sum(a.duration_ms for a in p.api_only)))
    assert [(a, b, c, d, int(e)) for a, b, c, d, e in got["plays"]] == want_plays
    total = sum(p.rows for p in plays.values())
    assert got["play_keys"] == [(total, total)]

    for user in HOUSEHOLD:
        lib = expected.library(emu, user)
        lid = ids[user]
        assert {t for who, t in got["saved_tracks"] if who == lid} == lib.saved_tracks
        assert {a for who, a in got["saved_albums"] if who == lid} == lib.saved_albums
        assert {a for who, a in got["followed"] if who == lid} == lib.followed_artists
        assert dict(got["top_artists"])[lid] == lib.top_artist_rows
        assert dict(got["top_tracks"])[lid] == lib.top_track_rows
        assert dict(got["playlist_items"])[lid] == lib.playlist_items
    assert len(got["saved_tracks"]) == sum(
        len(expected.library(emu, u).saved_tracks) for u in HOUSEHOLD)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_days_and_hours_in_each_listeners_time_zone(
        adapter: str, household_warehouse: Callable[[str], Built], emu: EmulatorServer):
    built = household_warehouse(adapter)
    got = built.warehouse.queries(LOCAL_TIME)
    # 23:30 UTC on 15 January is 00:30 on Thursday 16 January in Madrid (CET, UTC+1).
    assert [tuple(map(str, row)) for row in got["late_evening"]] == [
        ("2025-01-15 23:30:00", "2025-01-16", "0", "4")]

    zones = {built.listener_ids[u]: HOUSEHOLD[u] or "UTC" for u in HOUSEHOLD}
    days: Counter[tuple[str, str]] = Counter()
    cells: Counter[tuple[str, int, int]] = Counter()
    for listener, p in all_plays(emu, built).items():
        for started, _ms, _artist in p.every_play:
            day, hour = expected.local_day_hour(started, zones[listener])
            days[listener, day] += 1
            weekday = expected.dt.date.fromisoformat(day).isoweekday()
            cells[listener, weekday, hour] += 1
    assert Counter({(lid, str(day)): n for lid, day, n in got["daily"]}) == days
    assert Counter({(lid, w, h): n for lid, w, h, n in got["grid"]}) == cells
    assert got["cells"] == [(lid, 7 * 24) for lid in sorted(zones)]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_listeners_compared(adapter: str, household_warehouse: Callable[[str], Built],
                            emu: EmulatorServer):
    built = household_warehouse(adapter)
    got = built.warehouse.queries(COMPARISONS)
    ids = built.listener_ids
    libs = {ids[u]: expected.library(emu, u) for u in HOUSEHOLD}

    want_overlap = set()
    want_shared = set()
    for a, b in expected.pairs(libs):
        for library in ("saved_tracks", "saved_albums", "followed_artists"):
            mine, theirs = getattr(libs[a], library), getattr(libs[b], library)
            want_overlap.add((a, b, library, len(mine), len(theirs), len(mine & theirs)))
        for artist in libs[a].top_artists.keys() & libs[b].top_artists.keys():
            want_shared.add((a, b, artist, libs[a].top_artists[artist],
                             libs[b].top_artists[artist]))
    assert set(got["overlap"]) == want_overlap
    # The emulator's household shares its first saves and follows (see its household.py).
    assert all(row[5] > 0 for row in got["overlap"] if {row[0], row[1]} == {"alice", "bob"})
    assert set(got["shared_top"]) == want_shared and want_shared

    first = expected.first_listeners(all_plays(emu, built))
    assert dict(got["first"]) == first and first
