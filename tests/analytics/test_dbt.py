"""`dbt build` (models and their tests) on DuckDB and on PostgreSQL over whatever subset
of streams a user loaded: only a history download, only the catalog, only their own data
from the API, or all of it. A stream never loaded is an empty relation, not an error.
Every figure is checked against the emulator's data and the synthetic download."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from devkit.emulator import catalog_settings, refresh_token_for
from devkit.listening import Listening
from devkit.warehouse import Plugins, run_tap
from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.catalog.search import search_albums
from tests.analytics import expected
from tests.analytics.conftest import (
    ADAPTERS,
    DEFAULT_USER,
    SUBSETS,
    Built,
    WarehouseFactory,
)
from tests.meltano.helpers import Meltano

pytestmark = pytest.mark.timeout(1800)

FIGURES = {
    "sources": "select table_name from information_schema.tables "
               "where table_schema = 'spotify' order by 1",
    "listeners": "select listener_id, time_zone from analytics.dim_listeners order by 1",
    "plays": "select listener_id, source, count(*), count(api_played_at), sum(ms_played) "
             "from analytics.fct_plays group by 1, 2 order by 1, 2",
    "matched": "select api_played_at from analytics.fct_plays "
               "where source = 'history' and api_played_at is not null",
    "daily": "select listener_id, sum(plays), sum(minutes) from analytics.agg_listening_daily "
             "group by 1 order by 1",
    "grid": "select listener_id, count(*), sum(plays) "
            "from analytics.agg_listening_weekday_hour group by 1 order by 1",
    "new_releases": "select coalesce(sum(albums), 0) from analytics.agg_new_releases_daily",
    "top": "select (select count(*) from analytics.fct_top_artist_snapshots), "
           "(select count(*) from analytics.fct_top_track_snapshots)",
    "library": "select (select count(*) from analytics.bridge_listener_saved_tracks), "
               "(select count(*) from analytics.bridge_listener_saved_albums), "
               "(select count(*) from analytics.bridge_listener_followed_artists), "
               "(select count(*) from analytics.bridge_playlist_items), "
               "(select count(*) from analytics.dim_playlists)",
    "dims": "select (select count(*) from analytics.dim_tracks), "
            "(select count(*) from analytics.dim_albums), "
            "(select count(*) from analytics.dim_tracks where known_from = 'history')",
}


def _n(value: object) -> object:
    return round(float(value), 2) if isinstance(value, int | float) else value


def check_plays(rows: list[tuple], listener_id: str, want: expected.Plays,
                history: bool, api: bool) -> None:
    by_source = {source: [_n(v) for v in rest] for lid, source, *rest in rows
                 if lid == listener_id}
    assert {lid for lid, *_ in rows} <= {listener_id}
    if history:
        assert by_source.pop("history") == [want.history_rows, len(want.matched),
                                            _n(want.history_ms)]
    if api and want.api_only:
        n = len(want.api_only)
        assert by_source.pop("recently_played") == [
            n, n, _n(sum(p.duration_ms for p in want.api_only))]
    assert by_source == {}


@pytest.mark.parametrize("subset", SUBSETS)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_dbt_build_on_a_subset_of_streams(adapter: str, subset: str,
                                          subset_warehouse: Callable[[str, str], Built],
                                          emu: EmulatorServer):
    """dbt build passes (every model and test) and every mart holds exactly what was
    loaded: nothing of a stream that was not, all of one that was."""
    built = subset_warehouse(adapter, subset)
    figures = built.warehouse.queries(FIGURES)
    lib = expected.library(emu, DEFAULT_USER)
    catalog = emu.backend.catalog
    listed = [catalog.get(i) for i in catalog.new_release_ids]
    history = built.listening.get(DEFAULT_USER)

    # Streams not selected have no table at all: staging reads them as empty relations.
    # (Selected streams with nothing to send, e.g. the user streams of a catalog-only run,
    # may have empty tables.)
    sources = {row[0] for row in figures["sources"]}
    missing = {"download": {"new_releases", "albums", "album_tracks", "recently_played",
                            "saved_tracks", "playlists", "playlist_items"},
               "user": {"new_releases", "albums", "album_tracks", "streaming_history",
                        "streaming_history_account"}}.get(subset, set())
    assert not missing & sources

    listener_id = built.listener_ids.get(DEFAULT_USER)
    assert figures["listeners"] == ([(listener_id, "UTC")] if listener_id else [])

    want = expected.plays(emu, DEFAULT_USER, history, api=built.user_data)
    check_plays(figures["plays"], listener_id or "", want, built.history, built.user_data)
    assert sorted(expected.second(r[0]) for r in figures["matched"]) == sorted(want.matched)
    if listener_id:
        (lid, plays, minutes), = figures["daily"]
        assert (lid, plays) == (listener_id, want.rows)
        assert float(minutes) == pytest.approx(want.ms / 60000, abs=0.01)
        assert figures["grid"] == [(listener_id, 7 * 24, want.rows)]
    else:
        assert figures["daily"] == [] and figures["grid"] == []

    assert figures["new_releases"] == [(len(listed) if built.catalog else 0,)]
    assert figures["top"] == [(lib.top_artist_rows, lib.top_track_rows) if built.user_data
                              else (0, 0)]
    assert figures["library"] == [
        (len(lib.saved_tracks), len(lib.saved_albums), len(lib.followed_artists),
         lib.playlist_items, lib.playlists) if built.user_data else (0, 0, 0, 0, 0)]

    tracks, albums, history_only = figures["dims"][0]
    if subset == "catalog":  # the listed albums and their tracks, nothing else
        assert (tracks, albums, history_only) == (
            sum(a.total_tracks for a in listed if a), len(listed), 0)
    if subset == "download":  # names from the files only
        uris = {p.uri for p in history.plays if p.kind == "track"} if history else set()
        assert (tracks, albums, history_only) == (len(uris), 0, len(uris))


def test_download_only_through_meltano(project: Meltano, downloads: dict[str, Listening],
                                       tmp_path: Path):
    """Only a history download, the project's own meltano.yml, every stream selected:
    `meltano run tap-spotify target-duckdb dbt-duckdb:build` succeeds, and fct_plays
    holds every play of the files with their ms_played."""
    import duckdb

    listening = downloads[DEFAULT_USER]
    warehouse = tmp_path / "download.duckdb"
    project("run", "--state-id-suffix", "download-only", "tap-spotify", "target-duckdb",
            "dbt-duckdb:build", timeout=1200, env={
                "TAP_SPOTIFY_STREAMING_HISTORY_PATH": json.dumps([str(listening.history_dir)]),
                "TARGET_DUCKDB_PATH": str(warehouse), "DBT_DUCKDB_PATH": str(warehouse)})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        plays = con.execute("select listener_id, count(*), sum(ms_played) "
                            "from analytics.fct_plays group by 1").fetchall()
        listeners = con.execute("select listener_id, time_zone "
                                "from analytics.dim_listeners").fetchall()
    # The listener is the download's username.
    assert plays == [(DEFAULT_USER, listening.history_plays, listening.history_ms)]
    assert listeners == [(DEFAULT_USER, "UTC")]


def test_development_tier_without_history(plugins: Plugins, new_warehouse: WarehouseFactory,
                                          tmp_path: Path):
    """A Development Mode app (fields stripped, new releases by search) and no download:
    the models build and pass, labels are null, every play comes from the API."""
    with EmulatorServer(EmulatorOptions(new_releases=40, profile="development")) as dev:
        settings = {**catalog_settings(dev), "refresh_token": refresh_token_for(dev),
                    "listener_id": DEFAULT_USER}
        warehouse = new_warehouse("duckdb", "development")
        warehouse.load(run_tap(settings, tmp_path / "tap"), plugins)
        warehouse.dbt(plugins, "build", project_dir=plugins.project / "transform",
                      work_dir=tmp_path / "dbt")
        want = expected.plays(dev, DEFAULT_USER, None, api=True)
        listed = len(search_albums(dev.backend.catalog, "tag:new", None))
    got = warehouse.queries({
        "plays": "select listener_id, source, count(*), sum(ms_played) "
                 "from analytics.fct_plays group by 1, 2",
        "labels": "select count(*), count(label) from analytics.dim_albums",
        "listed": "select coalesce(sum(albums), 0) from analytics.agg_new_releases_daily"})
    assert [(a, b, c, int(d)) for a, b, c, d in got["plays"]] == [
        (DEFAULT_USER, "recently_played", want.rows, want.ms)]
    albums, labelled = got["labels"][0]
    assert albums > 0 and labelled == 0  # the development tier strips label
    assert got["listed"] == [(listed,)]  # what search `tag:new` finds
