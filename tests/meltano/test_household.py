"""A household in one warehouse, the Meltano way (README, "A household in one
warehouse"): listeners added and removed with scripts/listeners.py, each logged in
through Meltano as their own plugin (tap-spotify--NAME), the catalog loaded once by
tap-spotify--catalog, the household jobs, and state apart per listener.

PostgreSQL: three listeners' runs at once, into one warehouse, with Meltano's system
database (so the state) on the same PostgreSQL server. DuckDB (one writer at a time):
the README's five commands as written, then a third listener joins."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

from spotify_emulator import EmulatorOptions, EmulatorServer
from tap_spotify.spotify import authorization_ends
from tests.meltano.helpers import MELTANO, Meltano, PostgresServer, logged, surprises
from tests.meltano.household import (
    CATALOG_TABLES,
    account_id,
    assert_catalog_once,
    assert_listener_rows,
    expected_rows,
    history_download,
    listed,
    listeners_py,
    login,
    state_list,
    warehouse,
)
from tests.meltano.readme import Shell, readme_commands, user_env

pytestmark = pytest.mark.timeout(1200)


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A small catalog: the listeners' data is what these tests are about."""
    with EmulatorServer(EmulatorOptions(new_releases=30)) as emu:
        yield emu


def app_in_env_file(project: Meltano, emu: EmulatorServer) -> None:
    """The app's credentials and Spotify's URLs in the project's .env, as the README has
    a user keep them (here pointing at the emulator)."""
    settings = {"CLIENT_ID": emu.backend.options.client_id,
                "CLIENT_SECRET": emu.backend.options.client_secret,
                "API_URL": emu.api_url, "AUTH_URL": emu.token_url,
                "AUTHORIZE_URL": emu.authorize_url}
    (project.root / ".env").write_text("".join(f"TAP_SPOTIFY_{name}={value}\n"
                                               for name, value in settings.items()))


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def test_three_listeners_at_once_into_one_postgres_warehouse(
        project: Meltano, emulator: EmulatorServer, postgres: PostgresServer,
        tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    database = postgres.create_database(f"household_{suffix}")
    project.env.update(postgres.env("spotify", database), MELTANO_DATABASE_URI=(
        postgres.sqlalchemy_url(postgres.create_database(f"meltano_{suffix}"))))
    app_in_env_file(project, emulator)
    where = postgres.conninfo_of(database)
    alice_zip, alice_plays = history_download(tmp_path, seed=1, plays=120)
    bob_zip, bob_plays = history_download(tmp_path, seed=2, plays=80)

    # Someone's own token for the plain tap-spotify plugin (TAP_SPOTIFY_REFRESH_TOKEN):
    # no listener of the household may read with it.
    login(project, emulator, "tap-spotify", user="carol")

    listeners_py(project, "add", "listener")
    listeners_py(project, "add", "alice", "--time-zone", "Europe/Madrid",
                 "--streaming-history-path", str(alice_zip))
    listeners_py(project, "add", "bob", "--time-zone", "America/New_York",
                 "--listener-id", "bob", "--streaming-history-path", str(bob_zip))
    for name in ("listener", "alice", "bob"):
        login(project, emulator, f"tap-spotify--{name}", user=name)

    rows = listed(project)
    assert sorted(rows) == ["alice", "bob", "listener"]
    for row in rows.values():
        assert row["authorized_on"] == today().isoformat()
        assert row["must_log_in_by"] == authorization_ends(today()).isoformat()
        assert row["jobs"] == ["household", "household-postgres"]
    assert (rows["alice"]["time_zone"], rows["bob"]["listener_id"]) == ("Europe/Madrid",
                                                                         "bob")
    tasks = project("job", "list", "household-postgres").stdout
    assert re.search(r"tap-spotify--catalog target-postgres.*tap-spotify--listener "
                     r"target-postgres.*tap-spotify--alice target-postgres.*"
                     r"tap-spotify--bob target-postgres.*dbt-postgres:build", tasks), tasks

    # The catalog once, then three listeners' runs started together.
    emulator.backend.reset_stats()
    project("run", "tap-spotify--catalog", "target-postgres")
    catalog_requests = emulator.backend.stats()["counts"]
    runs = {name: subprocess.Popen(
        [str(MELTANO), "run", f"tap-spotify--{name}", "target-postgres"], cwd=project.root,
        env=project.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for name in ("listener", "alice", "bob")}
    for name, run in runs.items():
        _, err = run.communicate(timeout=900)
        assert run.returncode == 0, f"{name}'s run failed:\n" + "\n".join(
            f"[{level}] {who} {message}" for level, who, message in logged(err)
            if who != "meltano" or level != "info")
        assert not surprises(err), f"{name}'s run warned: {surprises(err)}"
    counts = emulator.backend.stats()["counts"]
    assert counts.get("new_releases") == catalog_requests["new_releases"]  # not again

    ids = {"listener": account_id(emulator, "listener"),
           "alice": account_id(emulator, "alice"), "bob": "bob"}
    tables = warehouse(project, "target-postgres", where, "spotify")
    assert_catalog_once(tables, emulator)
    assert_listener_rows(tables, ids["listener"], expected_rows(emulator, "listener"))
    assert_listener_rows(tables, ids["alice"], expected_rows(emulator, "alice", alice_plays))
    assert_listener_rows(tables, ids["bob"], expected_rows(emulator, "bob", bob_plays))
    carol = account_id(emulator, "carol")
    assert not [table for table, by in tables.items() if carol in by], "carol's data loaded"
    assert sorted(tables["listeners"]) == sorted(ids.values())
    zones = {row[0]: row[1] for row in tables["listeners_rows"]}
    assert zones == {ids["listener"]: "UTC", ids["alice"]: "Europe/Madrid",
                     ids["bob"]: "America/New_York"}

    # Each listener's state is their own, and follows their own plays.
    assert state_list(project) == sorted(f"dev:tap-spotify--{name}-to-target-postgres"
                                         for name in ("alice", "bob", "catalog", "listener"))
    for name, listener_id in ids.items():
        bookmarks = project.state(f"dev:tap-spotify--{name}-to-target-postgres")[
            "singer_state"]["bookmarks"]
        assert {b["listener_id"] for b in bookmarks.values() if "listener_id" in b} == {
            listener_id}
        newest = emulator.backend.users.summary(name)["newest_play"]
        assert bookmarks["recently_played"]["replication_key_value"] == newest
    catalog_state = project.state("dev:tap-spotify--catalog-to-target-postgres")
    assert "new_releases" in catalog_state["singer_state"]["bookmarks"]
    assert set(catalog_state["singer_state"]["bookmarks"]) <= set(CATALOG_TABLES)

    # bob leaves: out of the jobs, the project and .env; his rows and state stay.
    bob_state = project.state("dev:tap-spotify--bob-to-target-postgres")
    listeners_py(project, "remove", "bob")
    assert "tap-spotify--bob" not in project("job", "list", "household-postgres").stdout
    assert "tap-spotify--bob" not in [p["name"] for p in
                                      project.yaml()["plugins"]["extractors"]]
    assert not [key for key in dotenv_values(project.root / ".env")
                if key.startswith("TAP_SPOTIFY__BOB_")]
    assert sorted(listed(project)) == ["alice", "listener"]

    emulator.backend.users.play(2, "alice")
    emulator.backend.users.play(2, "bob")
    project("run", "household-postgres")  # the catalog, listener and alice, the models
    after = warehouse(project, "target-postgres", where, "spotify")
    alice = expected_rows(emulator, "alice", alice_plays)
    assert after["recently_played"][ids["alice"]] == alice["recently_played"] + 2
    assert_listener_rows(after, ids["bob"], expected_rows(emulator, "bob", bob_plays) | {
        "recently_played": tables["recently_played"]["bob"]})  # as before: not synced
    assert project.state("dev:tap-spotify--bob-to-target-postgres") == bob_state


def test_the_readme_household_in_one_duckdb_warehouse(
        project: Meltano, emulator: EmulatorServer) -> None:
    app_in_env_file(project, emulator)

    def signed_in_to_spotify(line: str) -> None:  # each listener in their own window
        match = re.search(r"tap-spotify--([\w-]+):login", line)
        assert match, line
        emulator.backend.users.sign_in(match[1])

    shell = Shell(project.root, user_env(), before_login=signed_in_to_spotify)
    commands = readme_commands("household")
    assert len(commands) == 5
    for line in commands:
        done = shell(line)
    assert not surprises(done.stderr), surprises(done.stderr)  # `meltano run household`

    # A third listener joins the same way, and the next daily run takes them in.
    shell("python scripts/listeners.py add listener")
    shell("meltano invoke tap-spotify--listener:login")
    done = shell("meltano run household")
    assert not surprises(done.stderr), surprises(done.stderr)

    tables = warehouse(project, "target-duckdb", str(project.root / "output" /
                                                      "warehouse.duckdb"), "spotify")
    assert_catalog_once(tables, emulator)
    for name in ("alice", "bob", "listener"):
        assert_listener_rows(tables, account_id(emulator, name),
                             expected_rows(emulator, name))
    assert state_list(project) == sorted(f"dev:tap-spotify--{name}-to-target-duckdb"
                                         for name in ("alice", "bob", "catalog", "listener"))
    rows = listed(project)
    assert (rows["alice"]["time_zone"], rows["bob"]["time_zone"]) == ("Europe/Madrid",
                                                                      "America/New_York")
