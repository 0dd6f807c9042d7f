"""Fixtures of the end-to-end Meltano tests.

Real Meltano (the one installed next to the Python running pytest), real loaders
from PyPI, the real tap as Meltano's subprocess, and the Spotify emulator in this
process over real HTTP on 127.0.0.1.

Speed: Meltano builds one virtualenv per plugin. `installed_project` builds them
ONCE per session (uv makes that a few seconds with a warm cache); each test then
gets its own small project (`project`): a copy of meltano.yml, its own system
database (so its own state), and symlinks to the shared plugin virtualenvs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.meltano.helpers import (
    MELTANO,
    NEW_RELEASES,
    REPO_ROOT,
    Meltano,
    PostgresServer,
    PostgresUnavailable,
    project_meltano_yml,
    running_postgres,
)

PLUGINS = (("extractors", "tap-spotify"), ("loaders", "target-jsonl"),
           ("loaders", "target-duckdb"), ("loaders", "target-postgres"),
           ("utilities", "dbt-duckdb"), ("utilities", "dbt-postgres"))


@pytest.fixture(scope="session")
def meltano_available() -> None:
    if MELTANO is None:
        pytest.skip("meltano is not installed here: pip install -e '.[dev]'")


@pytest.fixture(scope="session")
def installed_project(tmp_path_factory: pytest.TempPathFactory,
                      meltano_available: None) -> Path:
    """The repository's Meltano project copied to a temp folder and `meltano install`ed
    once for the whole session (the tap editable from this checkout)."""
    root = tmp_path_factory.mktemp("meltano-shared")
    (root / "meltano.yml").write_text(project_meltano_yml(f"-e {REPO_ROOT}"))
    Meltano(root)("install", timeout=900)
    for plugin_type, name in PLUGINS:
        venv = root / ".meltano" / plugin_type / name / "venv"
        assert venv.is_dir(), f"meltano install did not create {venv}"
    return root


@pytest.fixture
def project(installed_project: Path, tmp_path: Path) -> Meltano:
    """A fresh project for one test: a copy of meltano.yml, its own system database (so
    its own state), the session's plugin virtualenvs shared through symlinks, a copy of
    the dbt project (dbt writes beside it), and the repository's scripts."""
    root = tmp_path / "project"
    (root / ".meltano").mkdir(parents=True)
    (root / "output").mkdir()  # as in the repository (output/.gitkeep): DuckDB's folder
    shutil.copy(installed_project / "meltano.yml", root / "meltano.yml")
    for plugin_type in ("extractors", "loaders", "utilities"):
        (root / ".meltano" / plugin_type).symlink_to(installed_project / ".meltano" / plugin_type)
    shutil.copytree(REPO_ROOT / "transform", root / "transform",
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (root / "scripts").symlink_to(REPO_ROOT / "scripts")
    return Meltano(root)


@pytest.fixture
def spotify() -> Iterator[EmulatorServer]:
    """The emulator with 250 new releases (seed 0), stopped at teardown."""
    with EmulatorServer(EmulatorOptions(new_releases=NEW_RELEASES)) as emu:
        yield emu


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session (see `running_postgres`); skips with
    a plain message when this machine has no PostgreSQL server binaries."""
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
