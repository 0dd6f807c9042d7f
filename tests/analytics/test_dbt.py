"""dbt build (models and their tests) on DuckDB and on PostgreSQL, over what the real
tap loaded through the real targets; fct_plays matches recently_played to the history.

Expectations come from the emulator and the synthetic download: every row must arrive
(target-duckdb runs on duckdb 1.0.0, whose `COPY ... FROM csv` keeps a batch's first
row; later versions may take it for a header)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.analytics.conftest import Source
from tests.analytics.listening import READABLE
from tests.meltano.helpers import Meltano, PostgresServer, query_json

pytestmark = pytest.mark.timeout(1800)

#: What the tests read back: raw tables (what the loader stored) and the marts.
FIGURES_SQL = {
    "raw_history": "select count(*), sum(ms_played) from spotify.streaming_history",
    "raw_history_keys": "select spotify_track_uri, ts from spotify.streaming_history "
                        "where spotify_track_uri is not null",
    "raw_played_at": "select played_at from spotify.recently_played",
    "raw_new_releases": "select count(*) from spotify.new_releases",
    "by_source": "select source, count(*), count(api_played_at), sum(ms_played) "
                 "from analytics.fct_plays group by source order by source",
    "matched_api": "select api_played_at from analytics.fct_plays "
                   "where source = 'history' and api_played_at is not null",
    "daily": "select sum(plays), sum(minutes) from analytics.listening_daily",
    "grid": "select count(*), sum(plays) from analytics.listening_weekday_hour",
    "new_releases": "select sum(albums) from analytics.new_releases_daily",
    "top_artists": "select count(*) from analytics.top_artists_over_time",
    "top_tracks": "select count(*) from analytics.top_tracks_over_time",
    "dims": "select (select count(*) from analytics.dim_tracks), "
            "(select count(*) from analytics.dim_albums), "
            "(select count(*) from analytics.dim_artists), "
            "(select count(*) from analytics.bridge_track_artists), "
            "(select count(*) from analytics.bridge_album_artists), "
            "(select count(*) from analytics.bridge_playlist_items)",
}

POSTGRES_CODE = """
import decimal, json, sys, psycopg
con = psycopg.connect(sys.argv[1], autocommit=True)
out = {k: [list(r) for r in con.execute(q).fetchall()] for k, q in json.loads(sys.argv[2]).items()}
def plain(v):
    return float(v) if isinstance(v, decimal.Decimal) else v.isoformat(sep=" ")
print(json.dumps(out, default=plain))
"""


def _second(value: Any) -> str:
    """A timestamp (datetime or text) to 'YYYY-MM-DD HH:MM:SS'."""
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
    return text.replace("T", " ")[:19]


def _num(value: Any) -> float:
    return round(float(value), 2) if isinstance(value, int | float | decimal.Decimal) else value


def duckdb_figures(warehouse: Path) -> dict[str, list[list[Any]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {k: [list(r) for r in con.execute(q).fetchall()] for k, q in FIGURES_SQL.items()}


def check_figures(figures: dict[str, list[list[Any]]], source: Source) -> None:
    """The marts against the emulator's plays and the download, as far as loaded."""
    plays = source.emu.backend.users.library().plays[:READABLE]
    duration = {_second(dt.datetime.fromtimestamp(p.played_at / 1000, tz=dt.timezone.utc)
                        .replace(tzinfo=None)): p.track.track.duration_ms for p in plays}
    loaded_api = {_second(r[0]) for r in figures["raw_played_at"]}
    assert loaded_api == set(duration) and len(loaded_api) == READABLE
    loaded_history = {(uri, _second(ts)) for uri, ts in figures["raw_history_keys"]}
    (history_rows, history_ms), = figures["raw_history"]
    assert history_rows == source.listening.history_plays

    def second_of(ms: int) -> str:
        return _second(dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
                       .replace(tzinfo=None))

    # Matched: the overlap plays whose two rows were both loaded.
    matched = sorted(second_of(played_at) for played_at, uri, ts in source.listening.overlap
                     if second_of(played_at) in loaded_api
                     and (uri, _second(ts.replace(tzinfo=None))) in loaded_history)
    assert len(matched) == source.listening.matched
    assert sorted(_second(r[0]) for r in figures["matched_api"]) == matched
    api_only = loaded_api - set(matched)
    by_source = {row[0]: [_num(v) for v in row[1:]] for row in figures["by_source"]}
    assert by_source["history"] == [history_rows, len(matched), _num(history_ms)]
    assert by_source["recently_played"] == [
        len(api_only), len(api_only), _num(sum(duration[t] for t in api_only))]

    total = history_rows + len(api_only)
    assert _num(figures["daily"][0][0]) == total
    assert float(figures["daily"][0][1]) == pytest.approx((history_ms + sum(
        duration[t] for t in api_only)) / 60000, abs=0.05)
    assert [_num(v) for v in figures["grid"][0]] == [7 * 24, total]
    assert [_num(v) for v in figures["new_releases"][0]] == [
        _num(figures["raw_new_releases"][0][0])]
    assert figures["top_artists"] == [[30 + 50 + 75]] and figures["top_tracks"] == [[155]]
    assert all(n > 0 for n in figures["dims"][0])


def test_duckdb_build_and_fct_plays_matching(duckdb_warehouse: Path, source: Source):
    check_figures(duckdb_figures(duckdb_warehouse), source)


def test_postgres_build(analytics_project: Meltano, source: Source, postgres: PostgresServer):
    analytics_project("run", "tap-spotify", "target-postgres", "dbt-postgres:build",
                      env={**source.env, **postgres.env("spotify")}, timeout=900)
    python = analytics_project.plugin_python("loaders", "target-postgres")
    figures = query_json(python, POSTGRES_CODE, postgres.conninfo, json.dumps(FIGURES_SQL))
    check_figures(figures, source)
    # target-postgres loads every row: the whole download, every readable play.
    assert figures["raw_history"][0][0] == source.listening.history_plays
    assert len(figures["raw_played_at"]) == READABLE
    assert len(figures["matched_api"]) == source.listening.matched


def test_duckdb_development_tier_without_history(analytics_project: Meltano,
                                                 tmp_path: Path):
    """A Development Mode app (stripped fields, new releases by search) and no history
    download: the history tables do not exist, and the models still build and pass."""
    from spotify_emulator import EmulatorOptions, EmulatorServer
    from tests.meltano.helpers import tap_env
    from tests.tap.conftest import refresh_token_for

    warehouse = tmp_path / "development.duckdb"
    with EmulatorServer(EmulatorOptions(new_releases=40, profile="development")) as emu:
        env = {**tap_env(emu), "TAP_SPOTIFY_REFRESH_TOKEN": refresh_token_for(emu),
               "TARGET_DUCKDB_PATH": str(warehouse), "DBT_DUCKDB_PATH": str(warehouse)}
        analytics_project("run", "--state-id-suffix", "development", "tap-spotify",
                          "target-duckdb", "dbt-duckdb:build", env=env, timeout=900)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'spotify'").fetchall()}
        assert "streaming_history" not in tables
        loaded = con.execute("select count(*) from spotify.recently_played").fetchall()
        by_source = con.execute("select source, count(*) from analytics.fct_plays "
                                "group by source").fetchall()
        labels = con.execute("select count(label) from analytics.dim_albums").fetchall()
    assert by_source == [("recently_played", loaded[0][0])]
    assert loaded[0][0] == READABLE
    assert labels == [(0,)]  # the development tier strips label
