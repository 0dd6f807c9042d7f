"""Fixtures of the analytics tests: the real tap, loaded by real targets through real
Meltano (Hub out of reach), from the emulator with a signed-in listener AND a synthetic
extended-history download overlapping its recently_played plays; then dbt through the
project's dbt-duckdb / dbt-postgres utilities."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.analytics.listening import Listening, write_listening
from tests.meltano.helpers import (
    MELTANO,
    REPO_ROOT,
    Meltano,
    PostgresServer,
    PostgresUnavailable,
    project_meltano_yml,
    running_postgres,
    tap_env,
)
from tests.tap.conftest import refresh_token_for

PLUGINS = ("tap-spotify", "target-duckdb", "target-postgres", "dbt-duckdb", "dbt-postgres")
#: Albums listed as new releases: about what a real run lists.
NEW_RELEASES = 100


@dataclass
class Source:
    emu: EmulatorServer
    listening: Listening
    env: dict[str, str]  # tap-spotify's settings, as Meltano environment variables


@pytest.fixture(scope="session")
def analytics_project(tmp_path_factory: pytest.TempPathFactory) -> Meltano:
    """The repository's Meltano project and dbt project in a temp folder, with the tap,
    the DuckDB and PostgreSQL loaders and both dbt utilities installed."""
    if MELTANO is None:
        pytest.skip("meltano is not installed here: pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("analytics-project")
    (root / "meltano.yml").write_text(project_meltano_yml(f"-e {REPO_ROOT}"))
    shutil.copytree(REPO_ROOT / "transform", root / "transform",
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (root / "output").mkdir()
    project = Meltano(root)
    project("install", *PLUGINS, timeout=900)
    return project


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    with EmulatorServer(EmulatorOptions(new_releases=NEW_RELEASES)) as emu:
        listening = write_listening(emu, tmp_path_factory.mktemp("history"))
        env = {
            **tap_env(emu),
            "TAP_SPOTIFY_REFRESH_TOKEN": refresh_token_for(emu),
            "TAP_SPOTIFY_STREAMING_HISTORY_PATH": json.dumps([str(listening.history_dir)]),
        }
        yield Source(emu, listening, env)


@pytest.fixture(scope="session")
def duckdb_warehouse(analytics_project: Meltano, source: Source) -> Path:
    """`meltano run tap-spotify target-duckdb dbt-duckdb:build`: loaded, built, tested."""
    analytics_project("run", "tap-spotify", "target-duckdb", "dbt-duckdb:build",
                      env=source.env, timeout=900)
    return analytics_project.root / "output" / "warehouse.duckdb"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
