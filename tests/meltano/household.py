"""Helpers of the household tests: listeners added with scripts/listeners.py and logged
in through Meltano, and what one warehouse must hold for each of them (from the
emulator's own account of their data)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from spotify_emulator import EmulatorServer
from tests.history.synthetic import make_plays, write_extended, zip_folder
from tests.login.helpers import Login, play_browser
from tests.meltano.helpers import MELTANO, REPO_ROOT, Meltano, query_json

SCRIPT = REPO_ROOT / "scripts" / "listeners.py"
CATALOG_TABLES = ("new_releases", "albums", "album_tracks")
#: The streams a listener's plugin loads (the template's selection), history aside.
USER_TABLES = ("listeners", "me", "recently_played", "top_tracks", "top_artists",
               "saved_tracks", "saved_albums", "followed_artists", "playlists",
               "playlist_items")


def listeners_py(project: Meltano, *args: str) -> str:
    """`python scripts/listeners.py ARGS` in the project folder; its stdout."""
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=project.root,
                          env=project.env, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, f"listeners.py {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def login(project: Meltano, emu: EmulatorServer, plugin: str, user: str) -> None:
    """`meltano invoke PLUGIN:login`, with `user` signed in to Spotify and the browser
    played."""
    assert MELTANO is not None
    emu.backend.users.sign_in(user)
    started = Login(["--no-browser", "--port", "0"], project.root, environ=project.env,
                    command=[MELTANO, "invoke", f"{plugin}:login"])
    try:
        play_browser(started.url())
        done = started.finish(timeout=120)
    finally:
        started.stop()
    assert done.returncode == 0, done.stderr


def history_download(folder: Path, seed: int, plays: int) -> tuple[Path, int]:
    """A listener's downloaded extended streaming history (a zip as Spotify sends it)
    of `plays` plays; the zip and how many records the tap makes of it."""
    made = make_plays(plays, seed=seed)
    write_extended(folder / f"history-{seed}", made)
    return zip_folder(folder / f"history-{seed}", folder / f"my_spotify_data-{seed}.zip",
                      inside="Spotify Extended Streaming History"), len(made)


def expected_rows(emu: EmulatorServer, user: str, history: int = 0) -> dict[str, int]:
    """The rows of each table one listener's runs must leave, from the emulator."""
    summary = emu.backend.users.summary(user)
    counts = summary["counts"]
    rows = {"listeners": 1, "me": 1, "recently_played": counts["readable_plays"],
            "top_tracks": sum(counts["top_tracks"].values()),
            "top_artists": sum(counts["top_artists"].values()),
            "saved_tracks": counts["saved_tracks"], "saved_albums": counts["saved_albums"],
            "followed_artists": counts["followed_artists"], "playlists": counts["playlists"],
            "playlist_items": sum(p["items"] for p in summary["playlists"])}
    if history:
        rows["streaming_history"] = history
    return rows


def account_id(emu: EmulatorServer, user: str) -> str:
    """The listener_id the tap gives a listener with no listener_id setting."""
    return str(emu.backend.users.summary(user)["account_id"])


#: Rows per listener_id of every table of a schema (and, for tables without one, the
#: rows and distinct ids); `connect` is the only driver-specific bit.
COUNT_CODE = """
import json, sys
{connect}
schema = sys.argv[2]
def rows(sql):
    return [list(r) for r in con.execute(sql).fetchall()]
out = {{}}
for (table,) in rows("SELECT table_name FROM information_schema.tables "
                     f"WHERE table_schema = '{{schema}}'"):
    columns = [c for (c,) in rows("SELECT column_name FROM information_schema.columns WHERE "
                                  f"table_schema = '{{schema}}' AND table_name = '{{table}}'")]
    if table == "listeners":
        out["listeners_rows"] = rows(
            f"SELECT listener_id, time_zone, CAST(authorization_ends_on AS VARCHAR) "
            f"FROM {{schema}}.listeners ORDER BY listener_id")
    if "listener_id" in columns:
        out[table] = dict(rows(f"SELECT listener_id, count(*) FROM {{schema}}.{{table}} "
                               "GROUP BY listener_id"))
    elif "id" in columns:
        out[table] = dict(zip(("rows", "ids"), rows(
            f"SELECT count(*), count(DISTINCT id) FROM {{schema}}.{{table}}")[0]))
print(json.dumps(out))
"""
DUCKDB = "import duckdb\ncon = duckdb.connect(sys.argv[1], read_only=True)"
POSTGRES = "import psycopg\ncon = psycopg.connect(sys.argv[1], autocommit=True)"


def warehouse(project: Meltano, loader: str, where: str, schema: str) -> dict[str, Any]:
    """What a warehouse holds, per table: {listener_id: rows}, or, for the catalog's
    tables, {rows, ids}. `where` is the DuckDB file or the PostgreSQL conninfo."""
    connect = DUCKDB if loader == "target-duckdb" else POSTGRES
    return query_json(project.plugin_python("loaders", loader),
                      COUNT_CODE.format(connect=connect), where, schema)


def assert_listener_rows(tables: dict[str, Any], listener_id: str,
                         expected: dict[str, int]) -> None:
    """The listener's rows in every table are exactly their data: no fewer (lost, or
    merged with someone else's on a key), no more."""
    got = {table: tables.get(table, {}).get(listener_id, 0) for table in expected}
    assert got == expected, f"rows of {listener_id}: got {got}, expected {expected}"


def assert_catalog_once(tables: dict[str, Any], emu: EmulatorServer) -> None:
    """The catalog loaded once: every listed album and track exactly once."""
    catalog = emu.backend.catalog
    albums = list(catalog.new_releases)
    want = {"new_releases": len(albums), "albums": len(albums),
            "album_tracks": sum(a.total_tracks for a in albums)}
    for table, count in want.items():
        assert tables[table] == {"rows": count, "ids": count}, f"{table}: {tables[table]}"


def state_list(project: Meltano) -> list[str]:
    out = project("state", "list").stdout
    return sorted(line.strip() for line in out.splitlines() if line.strip())


def listed(project: Meltano) -> dict[str, dict]:
    """`listeners.py list --format json`, by listener name."""
    return {row["name"]: row for row in json.loads(listeners_py(project, "list", "--format",
                                                                "json"))}
