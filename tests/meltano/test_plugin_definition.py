"""tap-spotify.yml in a brand-new Meltano project: `meltano init`, `meltano add
--from-ref`, install and run to JSONL, with Meltano Hub out of reach."""

from __future__ import annotations

from pathlib import Path

import yaml

from spotify_emulator import EmulatorServer
from tests.meltano.helpers import (
    REPO_ROOT,
    Meltano,
    assert_exactly,
    expected_from,
    read_jsonl,
    tap_env,
)

#: A loader added without Meltano Hub: its own small definition, like tap-spotify's.
TARGET_JSONL_DEFINITION = """\
name: target-jsonl
namespace: target_jsonl
pip_url: target-jsonl==0.1.4
executable: target-jsonl
settings:
- name: destination_path
  kind: string
  value: output
- name: do_timestamp_file
  kind: boolean
  value: false
"""


def test_new_project_adds_the_tap_from_its_definition_and_runs(
    tmp_path: Path, spotify: EmulatorServer, meltano_available: None
):
    Meltano(tmp_path)("init", "fresh", "--no_usage_stats")
    fresh = Meltano(tmp_path / "fresh")

    # The documented commands (Meltano 4 infers the plugin type from tap-/target-).
    fresh("add", "tap-spotify", "--from-ref", str(REPO_ROOT / "tap-spotify.yml"),
          "--no-install")
    loader_yml = tmp_path / "target-jsonl.yml"
    loader_yml.write_text(TARGET_JSONL_DEFINITION)
    fresh("add", "target-jsonl", "--from-ref", str(loader_yml), "--no-install")

    project = fresh.yaml()
    (tap,) = project["plugins"]["extractors"]
    definition = yaml.safe_load((REPO_ROOT / "tap-spotify.yml").read_text())
    assert tap["name"] == "tap-spotify"
    assert tap["settings"] == definition["settings"]
    assert tap["capabilities"] == definition["capabilities"]
    assert "utilities" not in project["plugins"]

    # Install from this checkout instead of the git URL (what a user of a local clone or
    # a fork does): only pip_url changes.
    tap["pip_url"] = str(REPO_ROOT)
    (fresh.root / "meltano.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    fresh("install")

    listed = fresh("config", "list", "--all", "tap-spotify", env=tap_env(spotify)).stdout
    for setting in ("client_id", "client_secret", "api_url", "refresh_token"):
        assert setting in listed

    fresh("run", "tap-spotify", "target-jsonl", env=tap_env(spotify))
    assert_exactly(read_jsonl(fresh.root / "output"), expected_from(spotify))
