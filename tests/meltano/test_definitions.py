"""meltano.yml, tap-spotify.yml and .env.example stay in sync with `tap-spotify --about`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from tests.meltano.helpers import REPO_ROOT, STREAMS, base_env

#: JSON Schema type of a tap setting -> the Meltano `kind` that fits it.
KIND_OF_TYPE = {"string": "string", "integer": "integer", "boolean": "boolean",
                "object": "object", "array": "array", "number": "decimal"}


@pytest.fixture(scope="module")
def about() -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "tap_spotify", "--about", "--format=json"],
                          capture_output=True, text=True, check=True, timeout=120,
                          cwd=REPO_ROOT, env=base_env())
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def project_tap() -> dict[str, Any]:
    project = yaml.safe_load((REPO_ROOT / "meltano.yml").read_text())
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-spotify"]
    return dict(tap)


@pytest.fixture(scope="module")
def plugin_definition() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO_ROOT / "tap-spotify.yml").read_text()))


#: Every stream, selected in meltano.yml: user streams skip themselves without a refresh
#: token, the history streams read nothing without streaming_history_path, and
#: `listeners` says whose data a run read (nothing for the catalog alone).
SELECTED = ("listeners", *STREAMS, "me", "recently_played", "top_tracks", "top_artists",
            "saved_tracks", "saved_albums", "followed_artists", "playlists", "playlist_items",
            "streaming_history", "streaming_history_account")
#: Needed unless only the downloaded history is read: active lines in .env.example.
NEEDED = {"client_id", "client_secret"}


def _expected_kind(prop: dict[str, Any]) -> str:
    types = [t for t in prop.get("type", []) if t != "null"]
    if set(types) == {"array", "string"}:
        # streaming_history_path: one path or a list. A string to Meltano, whose `array`
        # kind refuses a plain path; the tap reads a JSON list in a string too.
        return "string"
    if "enum" in prop:
        return "options"
    if prop.get("format") == "date":
        return "date_iso8601"
    assert len(types) == 1, prop
    return KIND_OF_TYPE[types[0]]


def _check_settings(settings: list[dict[str, Any]], about: dict[str, Any], where: str) -> None:
    props = about["settings"]["properties"]
    names = [s["name"] for s in settings]
    assert len(names) == len(set(names)), f"{where}: a setting is listed twice"
    assert set(names) == set(props), (
        f"{where}: settings differ from `tap-spotify --about`: "
        f"missing {sorted(set(props) - set(names))}, unknown {sorted(set(names) - set(props))}"
    )
    for setting in settings:
        prop = props[setting["name"]]
        name = setting["name"]
        assert setting.get("description") == prop.get("description"), (
            f"{where}: description of {name} differs from --about")
        assert setting.get("label"), f"{where}: {name} has no label"
        assert setting.get("kind") == _expected_kind(prop), f"{where}: kind of {name}"
        assert bool(setting.get("sensitive")) == bool(prop.get("secret")), (
            f"{where}: {name} sensitive should be {bool(prop.get('secret'))}")
        assert setting.get("value") == prop.get("default"), f"{where}: default of {name}"
        if "enum" in prop:
            assert [o["value"] for o in setting["options"]] == prop["enum"], (
                f"{where}: options of {name}")


def test_meltano_yml_settings_match_about(project_tap: dict, about: dict) -> None:
    _check_settings(project_tap["settings"], about, "meltano.yml")
    assert project_tap["executable"] == "tap-spotify"
    assert project_tap["pip_url"] == "-e ."
    assert project_tap["namespace"] == "tap_spotify"
    assert set(project_tap["capabilities"]) == set(about["capabilities"])
    # Spotify app credentials, or only the downloaded history (which needs none).
    assert project_tap["settings_group_validation"] == [["client_id", "client_secret"],
                                                        ["streaming_history_path"]]
    assert project_tap["select"] == [f"{stream}.*" for stream in SELECTED]


def test_plugin_definition_matches_project(plugin_definition: dict, project_tap: dict,
                                           about: dict) -> None:
    """tap-spotify.yml is meltano.yml's extractor, minus project choices (select), with a
    pip_url that works outside this repository."""
    _check_settings(plugin_definition["settings"], about, "tap-spotify.yml")
    for key in ("name", "namespace", "executable", "capabilities", "settings",
                "settings_group_validation", "label", "description"):
        assert plugin_definition.get(key) == project_tap.get(key), f"tap-spotify.yml: {key}"
    assert "select" not in plugin_definition
    assert plugin_definition["pip_url"] != "-e ."  # would mean the *user's* project folder


def test_env_example_lists_every_setting(about: dict) -> None:
    """.env.example: one TAP_SPOTIFY_<SETTING> per --about setting, each with a comment
    just above it; only the required ones are active lines, and secrets are empty."""
    lines = (REPO_ROOT / ".env.example").read_text().splitlines()
    props = about["settings"]["properties"]
    required = set(about["settings"].get("required", [])) | NEEDED
    seen: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = re.match(r"^(#\s*)?(TAP_SPOTIFY_[A-Z0-9_]+)=(.*)$", line)
        if not match:
            continue
        name = match.group(2).removeprefix("TAP_SPOTIFY_").lower()
        assert name in props, f".env.example: {match.group(2)} is not a tap setting"
        assert name not in seen, f".env.example: {match.group(2)} twice"
        seen[name] = line
        above = lines[index - 1] if index else ""
        assert above.startswith("#") and "TAP_SPOTIFY_" not in above, (
            f".env.example: {match.group(2)} needs a comment line above it")
        active = match.group(1) is None
        assert active == (name in required), (
            f".env.example: {match.group(2)} should be "
            f"{'active' if name in required else 'commented out (optional)'}")
        if props[name].get("secret"):
            assert match.group(3) == "", f".env.example: {match.group(2)} must be empty"
    assert set(seen) == set(props), f".env.example misses {sorted(set(props) - set(seen))}"
