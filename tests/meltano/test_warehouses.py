"""`meltano run tap-spotify target-duckdb` and `... target-postgres`: tables that hold
every album and track exactly once, joinable, and no duplicates after re-runs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from spotify_emulator import EmulatorServer
from tests.meltano.helpers import (
    Expected,
    Meltano,
    PostgresServer,
    expected_from,
    query_json,
    tap_env,
)

#: The sample query of the README (without its LIMIT): tracks per album, with names.
TRACKS_PER_ALBUM_SQL = """
SELECT a.id, a.name, count(t.id) AS tracks
FROM spotify.albums AS a
JOIN spotify.album_tracks AS t ON t.album_id = a.id
GROUP BY a.id, a.name
ORDER BY tracks DESC, a.name
"""

#: Reads the three tables and runs the join; `connect` is the only driver-specific bit.
QUERY_CODE = """
import json, sys
{connect}
def rows(sql):
    return [list(r) for r in con.execute(sql).fetchall()]
schema = sys.argv[2]
out = {{}}
for table in ("new_releases", "albums", "album_tracks"):
    out[table] = [r[0] for r in rows(f"SELECT id FROM {{schema}}.{{table}}")]
out["track_albums"] = rows(f"SELECT id, album_id FROM {{schema}}.album_tracks")
out["orphans"] = rows(
    f"SELECT count(*) FROM {{schema}}.album_tracks t "
    f"LEFT JOIN {{schema}}.albums a ON a.id = t.album_id WHERE a.id IS NULL")[0][0]
out["per_album"] = rows(sys.argv[3].replace("spotify.", schema + "."))
print(json.dumps(out, default=str))
"""

DUCKDB_CONNECT = "import duckdb\ncon = duckdb.connect(sys.argv[1], read_only=True)"
POSTGRES_CONNECT = "import psycopg\ncon = psycopg.connect(sys.argv[1], autocommit=True)"


def assert_tables(tables: dict[str, Any], expected: Expected) -> None:
    for table, want in (("new_releases", expected.listed), ("albums", expected.albums)):
        ids = Counter(tables[table])
        assert not [i for i, n in ids.items() if n > 1], f"{table}: duplicate rows"
        assert set(ids) == set(want), f"{table}: rows differ from the catalog"
    ids = Counter(tables["album_tracks"])
    assert not [i for i, n in ids.items() if n > 1], "album_tracks: duplicate rows"
    assert set(ids) == set(expected.tracks), "album_tracks: rows differ from the catalog"
    assert dict(tables["track_albums"]) == expected.tracks, "album_tracks: wrong album_id"
    assert tables["orphans"] == 0, "tracks whose album is not in the albums table"
    per_album = {album_id: tracks for album_id, _name, tracks in tables["per_album"]}
    assert per_album == expected.total_tracks
    names = {album_id: name for album_id, name, _tracks in tables["per_album"]}
    assert all(names.values())


def test_duckdb_every_row_once_and_reruns_add_no_duplicates(
    project: Meltano, spotify: EmulatorServer
):
    env = tap_env(spotify)
    warehouse = project.root / "output" / "warehouse.duckdb"  # meltano.yml's default path
    python = project.plugin_python("loaders", "target-duckdb")

    def tables() -> dict[str, Any]:
        return query_json(python, QUERY_CODE.format(connect=DUCKDB_CONNECT), str(warehouse),
                          "spotify", TRACKS_PER_ALBUM_SQL)

    project("run", "tap-spotify", "target-duckdb", env=env)
    assert warehouse.exists()
    assert_tables(tables(), expected_from(spotify))

    spotify.backend.add_album(release_date="2026-11-19", tracks=60)
    project("run", "tap-spotify", "target-duckdb", env=env)  # incremental: the new album
    assert_tables(tables(), expected_from(spotify))

    project("run", "--full-refresh", "tap-spotify", "target-duckdb", env=env)  # all again
    assert_tables(tables(), expected_from(spotify))


def test_postgres_every_row_once_and_reruns_add_no_duplicates(
    project: Meltano, spotify: EmulatorServer, postgres: PostgresServer
):
    schema = "spotify_e2e"
    env = {**tap_env(spotify), **postgres.env(schema)}
    python = project.plugin_python("loaders", "target-postgres")

    def tables() -> dict[str, Any]:
        return query_json(python, QUERY_CODE.format(connect=POSTGRES_CONNECT),
                          postgres.conninfo, schema, TRACKS_PER_ALBUM_SQL)

    project("run", "tap-spotify", "target-postgres", env=env)
    assert_tables(tables(), expected_from(spotify))

    spotify.backend.add_album(release_date="2026-11-19", tracks=60)
    project("run", "tap-spotify", "target-postgres", env=env)
    assert_tables(tables(), expected_from(spotify))

    project("run", "--full-refresh", "tap-spotify", "target-postgres", env=env)
    assert_tables(tables(), expected_from(spotify))
