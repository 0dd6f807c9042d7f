"""scripts/listeners.py without Meltano: where a listener's task goes in a job, which
names it refuses, and the one line it ends with when it cannot go on."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.meltano.household import SCRIPT


@pytest.fixture(scope="module")
def listeners() -> ModuleType:
    spec = importlib.util.spec_from_file_location("listeners_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_listener_goes_after_the_household_and_before_the_models(listeners):
    tasks = ["tap-spotify--catalog target-duckdb", "tap-spotify--alice target-duckdb",
             "dbt-duckdb:build"]
    assert listeners.with_listener(tasks, "tap-spotify--bob") == [
        "tap-spotify--catalog target-duckdb", "tap-spotify--alice target-duckdb",
        "tap-spotify--bob target-duckdb", "dbt-duckdb:build"]
    # The loader (and any mapper between) is the catalog's.
    assert listeners.with_listener(["tap-spotify--catalog some-mapper target-postgres"],
                                   "tap-spotify--bob") == [
        "tap-spotify--catalog some-mapper target-postgres",
        "tap-spotify--bob some-mapper target-postgres"]
    # Jobs that do not load the catalog are not the household's.
    assert listeners.with_listener(["tap-spotify target-jsonl"], "tap-spotify--bob") is None


def test_the_plugins_of_a_task(listeners):
    assert listeners.task_plugins("tap-spotify--bob target-duckdb dbt-duckdb:build") == [
        "tap-spotify--bob", "target-duckdb", "dbt-duckdb"]
    assert listeners.task_plugins(["tap-a target-b", "dbt:run"]) == ["tap-a", "target-b", "dbt"]


@pytest.mark.parametrize("name", ["Alice", "al ice", "alice_", "-alice", "a--b", "", "é"])
def test_names_that_cannot_name_a_plugin(listeners, name):
    with pytest.raises(listeners.Failed, match="cannot name a listener"):
        listeners.check_name(name)


@pytest.mark.parametrize("name", ["catalog", "household"])
def test_the_household_own_plugins_are_no_listeners(listeners, name):
    with pytest.raises(listeners.Failed, match="household's own plugin"):
        listeners.check_name(name)


def test_one_line_and_exit_1_where_it_cannot_go_on(listeners, tmp_path: Path, capsys):
    assert listeners.main(["--project", str(tmp_path), "list"]) == 1
    assert capsys.readouterr().err == (
        f"listeners.py: error: {tmp_path} is not a Meltano project (no meltano.yml): run "
        "this in the project's folder, or pass --project.\n")

    (tmp_path / "meltano.yml").write_text("plugins:\n  extractors:\n  - name: tap-spotify\n")
    assert listeners.main(["--project", str(tmp_path), "add", "alice"]) == 1
    assert "no tap-spotify--household plugin" in capsys.readouterr().err

    assert listeners.main(["--project", str(tmp_path), "remove", "alice"]) == 1
    assert "alice is not a listener of this project" in capsys.readouterr().err


def test_a_history_path_is_made_absolute_and_must_exist(listeners, tmp_path: Path,
                                                        monkeypatch):
    (tmp_path / "my_spotify_data.zip").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert listeners.history_path("my_spotify_data.zip") == str(tmp_path /
                                                                "my_spotify_data.zip")
    assert listeners.history_path('["a.zip", "b"]') == '["a.zip", "b"]'
    with pytest.raises(listeners.Failed, match="no such file or folder"):
        listeners.history_path("missing.zip")
