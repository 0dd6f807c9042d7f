"""Every setting in every form a user writes it: a config file, `TAP_SPOTIFY_*`
variables with `--config ENV`, and `.env`; a list setting as one plain path or as a
list. A value that cannot work is one line naming it as it was written, before any
record, and never repeats a secret. (Meltano's forms: tests/meltano.)"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from devkit.tap import tap_process as tap
from tests.tap.conftest import tap_config

PLAYS = [{"ts": f"2025-01-0{day}T10:00:00Z", "platform": "linux", "ms_played": 1000 * day,
          "spotify_track_uri": f"spotify:track:{day}xxxxxxxxxxxxxxxxxxxxx"}
         for day in (1, 2, 3)]


def plays(proc: subprocess.CompletedProcess) -> list[dict]:
    messages = [json.loads(line) for line in proc.stdout.splitlines()]
    return [m["record"] for m in messages
            if m["type"] == "RECORD" and m["stream"] == "streaming_history"]


@pytest.fixture
def download(tmp_path: Path) -> tuple[Path, Path]:
    """A history file, and a zip holding another (a second download)."""
    folder = tmp_path / "my_spotify_data"
    folder.mkdir()
    first = folder / "Streaming_History_Audio_2025.json"
    first.write_text(json.dumps(PLAYS))
    later = tmp_path / "my_spotify_data_2026.zip"
    with zipfile.ZipFile(later, "w") as archive:
        archive.writestr("Spotify Extended Streaming History/Streaming_History_Audio_2026.json",
                         json.dumps([{**PLAYS[0], "ts": "2026-01-01T10:00:00Z"}]))
    return first, later


def file_forms(first: Path, later: Path) -> list[tuple[str, object, int]]:
    return [("one path", str(first), 3), ("a list", [str(first)], 3),
            ("a list of two", [str(first), str(later)], 4)]


@pytest.mark.parametrize("form", ["one path", "a list", "a list of two"])
def test_the_history_path_in_a_config_file(download, tmp_path, form):
    value, count = next((v, n) for name, v, n in file_forms(*download) if name == form)
    (tmp_path / "c.json").write_text(json.dumps({"streaming_history_path": value}))
    proc = tap(["--config", str(tmp_path / "c.json")], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(plays(proc)) == count


@pytest.mark.parametrize("where", ["environment", ".env"])
@pytest.mark.parametrize("form", ["one path", "a JSON list", "a JSON list of two"])
def test_the_history_path_as_a_variable(download, tmp_path, where, form):
    first, later = download
    value, count = {"one path": (str(first), 3), "a JSON list": (json.dumps([str(first)]), 3),
                    "a JSON list of two": (json.dumps([str(first), str(later)]), 4)}[form]
    env = {}
    if where == "environment":
        env["TAP_SPOTIFY_STREAMING_HISTORY_PATH"] = value
    else:
        (tmp_path / ".env").write_text(f"TAP_SPOTIFY_STREAMING_HISTORY_PATH='{value}'\n")
    proc = tap(["--config", "ENV"], tmp_path, env)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert len(plays(proc)) == count
    assert "Traceback" not in err and "WARNING" not in err


def test_discovery_and_a_sync_read_a_setting_alike(tmp_path):
    """`[]` is no history at all: discovery still lists every stream, and the sync
    says in one line what is missing."""
    env = {"TAP_SPOTIFY_STREAMING_HISTORY_PATH": "[]"}
    discovered = tap(["--config", "ENV", "--discover"], tmp_path, env)
    assert discovered.returncode == 0, discovered.stderr.decode()
    streams = {s["tap_stream_id"] for s in json.loads(discovered.stdout)["streams"]}
    assert {"streaming_history", "new_releases", "me", "listeners"} <= streams
    run = tap(["--config", "ENV"], tmp_path, env)
    assert run.returncode == 1 and run.stdout == b""
    assert "client_id is missing" in run.stderr.decode().strip().splitlines()[-1]


BAD = [
    # setting, value, words of the one line
    ("start_date", "2026-02-30", "no such day"),
    ("start_date", "2026-13-45", "no such day"),
    ("start_date", "20260101", "YYYY-MM-DD"),
    ("refresh_token_date", "2026-13-45", "no such day"),
    ("time_zone", "Mars/Olympus", "IANA time zone"),
    ("max_concurrency", "eight", "whole number from 1 to 32"),
    ("page_size", "51", "whole number from 1 to 50"),
    ("metrics_log_level", "LOUD", "use one of"),
    ("new_releases_source", "radio", "use one of auto, browse, search"),
    ("api_url", "http://example.com/v1", "https://"),
    ("market", "Spain", "two-letter"),
]


@pytest.mark.parametrize(("setting", "value", "words"), BAD,
                         ids=[f"{s}={v}" for s, v, _ in BAD])
@pytest.mark.parametrize("form", ["config file", "environment"])
def test_an_impossible_value_is_one_line_before_any_record(emulator, tmp_path, setting,
                                                           value, words, form):
    config = tap_config(emulator)
    if form == "config file":
        (tmp_path / "c.json").write_text(json.dumps({**config, setting: value}))
        proc = tap(["--config", str(tmp_path / "c.json")], tmp_path)
        named = setting
    else:
        env = {f"TAP_SPOTIFY_{k.upper()}": str(v) for k, v in config.items()}
        proc = tap(["--config", "ENV"], tmp_path, {**env, f"TAP_SPOTIFY_{setting.upper()}":
                                                    value})
        named = f"TAP_SPOTIFY_{setting.upper()}"
    err = proc.stderr.decode()
    assert proc.returncode == 1 and proc.stdout == b"", err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"tap-spotify: error: {named} "), last
    assert words in last
    assert emulator.backend.stats()["counts"].get("token", 0) == 0


@pytest.mark.parametrize("value", [12345, ["my", "s3cr3t"], {"s": "hunter2"}])
def test_a_secret_of_the_wrong_type_is_never_echoed(emulator, tmp_path, value):
    (tmp_path / "c.json").write_text(json.dumps({**tap_config(emulator),
                                                 "client_secret": value}))
    proc = tap(["--config", str(tmp_path / "c.json")], tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and proc.stdout == b""
    assert "client_secret must be text" in err.strip().splitlines()[-1]
    for shown in ("12345", "s3cr3t", "hunter2"):
        assert shown not in err


def test_a_misspelt_variable_gets_the_warning_of_a_misspelt_key(emulator, tmp_path):
    env = {f"TAP_SPOTIFY_{k.upper()}": str(v) for k, v in tap_config(emulator).items()}
    proc = tap(["--config", "ENV"], tmp_path, {**env, "TAP_SPOTIFY_MARKETT": "ES"})
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert ("TAP_SPOTIFY_MARKETT is not a setting of tap-spotify and is ignored: check its "
            "spelling") in err


def test_without_config_env_the_dotenv_message_says_how_it_is_read(tmp_path):
    (tmp_path / ".env").write_text("TAP_SPOTIFY_CLIENT_ID=abc\nTAP_SPOTIFY_CLIENT_SECRET=x\n")
    proc = tap(["--config", str(tmp_path / "missing.json")], tmp_path)
    assert proc.returncode == 1
    (tmp_path / "c.json").write_text("{}")
    proc = tap(["--config", str(tmp_path / "c.json")], tmp_path)
    last = proc.stderr.decode().strip().splitlines()[-1]
    assert "client_id is missing" in last and "--config ENV" in last


def test_meltanos_nested_keys_of_an_object_setting_are_not_misspellings(emulator, tmp_path):
    """Meltano exports an object setting's keys too (TAP_SPOTIFY_STREAM_MAPS_<STREAM>_...)."""
    env = {f"TAP_SPOTIFY_{k.upper()}": str(v) for k, v in tap_config(emulator).items()}
    env["TAP_SPOTIFY_STREAM_MAPS"] = '{"new_releases": {"label": "__NULL__"}}'
    env["TAP_SPOTIFY_STREAM_MAPS_NEW_RELEASES_LABEL"] = "__NULL__"
    proc = tap(["--config", "ENV"], tmp_path, env)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "is not a setting" not in err


@pytest.mark.parametrize("setting", ["refresh_token_date", "start_date", "market",
                                     "new_releases_source", "time_zone"])
def test_an_empty_value_means_unset(emulator, tmp_path, setting):
    """As a Meltano plugin that blanks a setting it inherits sends it."""
    (tmp_path / "c.json").write_text(json.dumps({**tap_config(emulator), setting: ""}))
    proc = tap(["--config", str(tmp_path / "c.json")], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
