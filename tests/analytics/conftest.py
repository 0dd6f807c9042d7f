"""Fixtures of the analytics tests: the real tap (a subprocess, over HTTP to the emulator)
loaded by the real target-duckdb and target-postgres, then `dbt build` with the project's
dbt utilities, all installed by `meltano install` in a copy of the project.

Two kinds of warehouse:

* one per subset of streams a user may load (`download` only, `catalog` only, `user`
  data only, `all`), with the default listener and a synthetic history download whose
  last plays overlap their recently_played;
* a household: three listeners (`listener` in Europe/Madrid, `alice` in UTC by default,
  `bob` in America/New_York), each with their own download, loaded one after another
  into one warehouse; then alice and bob again on a later run, without `listener`.

Each warehouse is built once per session, when a test first asks for it. Every signed-in
run names its listener with the tap's `listener_id` setting (the emulator's user id), the
way a household's Meltano project sets it on each listener's plugin; a download alone is
named by its username, the same id.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devkit.emulator import catalog_settings, refresh_token_for
from devkit.listening import Listening, write_listening
from devkit.warehouse import (
    HISTORY_STREAMS,
    USER_STREAMS,
    DuckDB,
    Plugins,
    Postgres,
    Warehouse,
    run_tap,
)
from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.meltano.helpers import (
    MELTANO,
    REPO_ROOT,
    Meltano,
    PostgresServer,
    PostgresUnavailable,
    project_meltano_yml,
    running_postgres,
)

PLUGINS = ("tap-spotify", "target-duckdb", "target-postgres", "dbt-duckdb", "dbt-postgres")
#: Albums listed as new releases: about what a real run lists.
NEW_RELEASES = 100
SUBSETS = ("download", "catalog", "user", "all")
ADAPTERS = ("duckdb", "postgres")
#: The household: emulator user -> time zone setting (None: the default, UTC).
HOUSEHOLD = {"listener": "Europe/Madrid", "alice": None, "bob": "America/New_York"}
DEFAULT_USER = "listener"


@dataclass
class Built:
    """A warehouse the real tap and target loaded and `dbt build` built and tested."""

    name: str
    warehouse: Warehouse
    #: The emulator users whose data it holds -> their listener_id and download.
    listener_ids: dict[str, str]
    listening: dict[str, Listening] = field(default_factory=dict)
    #: Which kinds of stream it holds.
    catalog: bool = False
    user_data: bool = False
    history: bool = False

    @property
    def duckdb_path(self) -> Path:
        assert isinstance(self.warehouse, DuckDB)
        return self.warehouse.path


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Meltano:
    """The repository's Meltano project and dbt project in a temp folder, with the tap,
    both loaders and both dbt utilities installed."""
    if MELTANO is None:
        pytest.skip("meltano is not installed here: pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("analytics-project")
    (root / "meltano.yml").write_text(project_meltano_yml(f"-e {REPO_ROOT}"))
    shutil.copytree(REPO_ROOT / "transform", root / "transform",
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (root / "output").mkdir()
    meltano = Meltano(root)
    meltano("install", *PLUGINS, timeout=1200)
    return meltano


@pytest.fixture(scope="session")
def plugins(project: Meltano) -> Plugins:
    return Plugins(project.root)


@pytest.fixture(scope="session")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorOptions(new_releases=NEW_RELEASES)) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def downloads(emu: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, Listening]:
    """Each emulator user's synthetic history download; the Madrid listener's holds a
    play that starts at 23:30 UTC."""
    folder = tmp_path_factory.mktemp("downloads")
    return {user: write_listening(emu, folder / user, user,
                                  late_evening=HOUSEHOLD[user] == "Europe/Madrid")
            for user in HOUSEHOLD}


class WarehouseFactory:
    """Makes empty warehouses: a DuckDB file, or a new PostgreSQL database."""

    def __init__(self, plugins: Plugins, folder: Path,
                 postgres: Callable[[], PostgresServer]) -> None:
        self.plugins = plugins
        self.folder = folder
        self.postgres = postgres

    def __call__(self, adapter: str, name: str) -> Warehouse:
        if adapter == "duckdb":
            return DuckDB(self.folder / f"{name}.duckdb")
        server = self.postgres()
        return Postgres(server.host, server.port, server.user, server.password,
                        name.replace("-", "_"), self.plugins).create()


@pytest.fixture(scope="session")
def new_warehouse(plugins: Plugins, tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> WarehouseFactory:
    return WarehouseFactory(plugins, tmp_path_factory.mktemp("warehouses"),
                            lambda: request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def subset_messages(emu: EmulatorServer, downloads: dict[str, Listening],
                    tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The tap's Singer messages for a subset of streams, extracted once (both
    warehouses load the same output)."""
    folder = tmp_path_factory.mktemp("tap")
    done: dict[str, Path] = {}
    history = {"streaming_history_path": [str(downloads[DEFAULT_USER].history_dir)]}
    listener = {"listener_id": DEFAULT_USER}

    def messages(subset: str) -> Path:
        if subset not in done:
            token = {"refresh_token": refresh_token_for(emu, DEFAULT_USER), **listener}
            settings, streams = {
                # Only the download, no Spotify app: its streams selected; the listener
                # is the download's username (the emulator's user id).
                "download": (history, HISTORY_STREAMS),
                "catalog": (catalog_settings(emu), None),
                "user": ({**catalog_settings(emu), **token}, USER_STREAMS),
                "all": ({**catalog_settings(emu), **token, **history}, None),
            }[subset]
            done[subset] = run_tap(settings, folder / subset, streams)
        return done[subset]

    return messages


@pytest.fixture(scope="session")
def subset_warehouse(emu: EmulatorServer, plugins: Plugins, downloads: dict[str, Listening],
                     new_warehouse: WarehouseFactory,
                     subset_messages: Callable[[str], Path],
                     tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Built]:
    """(adapter, subset) -> that subset loaded into a new warehouse and built."""
    built: dict[tuple[str, str], Built] = {}
    work = tmp_path_factory.mktemp("dbt")

    def get(adapter: str, subset: str) -> Built:
        if (adapter, subset) not in built:
            warehouse = new_warehouse(adapter, f"subset-{subset}")
            warehouse.load(subset_messages(subset), plugins)
            warehouse.dbt(plugins, "build", project_dir=plugins.project / "transform",
                          work_dir=work / f"{adapter}-{subset}")
            history = subset in ("download", "all")
            user_data = subset in ("user", "all")
            built[adapter, subset] = Built(
                name=subset, warehouse=warehouse,
                listener_ids={DEFAULT_USER: DEFAULT_USER} if history or user_data else {},
                listening={DEFAULT_USER: downloads[DEFAULT_USER]} if history else {},
                catalog=subset in ("catalog", "all"), user_data=user_data, history=history)
        return built[adapter, subset]

    return get


@pytest.fixture(scope="session")
def household_warehouse(emu: EmulatorServer, plugins: Plugins,
                        downloads: dict[str, Listening], new_warehouse: WarehouseFactory,
                        tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    """adapter -> the household in one warehouse: a run per listener (every stream, the
    listener's own time zone and download), then a later run of alice and bob only;
    then `dbt build`."""
    folder = tmp_path_factory.mktemp("household")
    messages: dict[tuple[int, str], Path] = {}
    built: dict[str, Built] = {}

    def tap(round_: int, user: str) -> Path:
        if (round_, user) not in messages:
            settings = {**catalog_settings(emu), "refresh_token": refresh_token_for(emu, user),
                        "streaming_history_path": [str(downloads[user].history_dir)],
                        "listener_id": user}
            if HOUSEHOLD[user]:
                settings["time_zone"] = HOUSEHOLD[user]
            messages[round_, user] = run_tap(settings, folder / f"run{round_}-{user}")
        return messages[round_, user]

    def get(adapter: str) -> Built:
        if adapter not in built:
            warehouse = new_warehouse(adapter, "household")
            for round_, users in ((1, list(HOUSEHOLD)), (2, ["alice", "bob"])):
                for user in users:
                    warehouse.load(tap(round_, user), plugins)
            warehouse.dbt(plugins, "build", project_dir=plugins.project / "transform",
                          work_dir=folder / f"dbt-{adapter}")
            built[adapter] = Built(
                name="household", warehouse=warehouse,
                listener_ids={user: user for user in HOUSEHOLD},
                listening=dict(downloads), catalog=True, user_data=True, history=True)
        return built[adapter]

    return get

