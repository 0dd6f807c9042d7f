"""Bad input: one line that names what is wrong and what to do, a non-zero exit, no
traceback, and nothing sent to Spotify or written to stdout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devkit.tap import tap_process as run
from tests.tap.conftest import tap_config


def assert_one_clear_line(proc: subprocess.CompletedProcess, *words: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert proc.stdout == b""
    assert "Traceback" not in err and "ERROR" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("tap-spotify: error:"), err
    for word in words:
        assert word in last, last
    return last


@pytest.mark.parametrize(("content", "words"), [
    (None, ("does not exist",)),
    ("{not json", ("not valid JSON",)),
    ("[1, 2]", ("JSON list", "object")),
    ("folder", ("not a file",)),
])
def test_bad_config_file(tmp_path, content, words):
    path = tmp_path / "config.json"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_text(content)
    proc = run(["--config", str(path)], tmp_path)
    assert_one_clear_line(proc, "config file", str(path), *words)


@pytest.mark.parametrize(("overrides", "setting"), [
    ({"start_date": "20260101"}, "start_date"),
    ({"max_concurrency": "eight"}, "max_concurrency"),
    ({"max_retry_wait": -1}, "max_retry_wait"),
    ({"page_size": 2.5}, "page_size"),
])
def test_bad_setting_names_it(emulator, tmp_path, overrides, setting):
    (tmp_path / "c.json").write_text(json.dumps(tap_config(emulator, **overrides)))
    proc = run(["--config", str(tmp_path / "c.json")], tmp_path)
    assert_one_clear_line(proc, setting)
    assert emulator.backend.stats()["counts"].get("token", 0) == 0


def test_null_settings_mean_their_defaults(make_emulator, tap_run):
    emu = make_emulator(new_releases=3)
    run_ = tap_run(tap_config(emu, max_concurrency=None, max_retry_wait=None, page_size=None,
                              market=None, start_date=None))
    assert run_.returncode == 0, run_.stderr
    assert len(run_.ids("new_releases")) == 3


def test_unknown_setting_gets_a_warning(make_emulator, tap_run):
    emu = make_emulator(new_releases=2)
    run_ = tap_run(tap_config(emu, max_concurency=4))
    assert run_.returncode == 0, run_.stderr
    assert "max_concurency is not a setting of tap-spotify" in run_.stderr


def test_env_config_with_a_word_for_a_number(emulator, tmp_path):
    env = {f"TAP_SPOTIFY_{k.upper()}": str(v) for k, v in tap_config(emulator).items()}
    proc = run(["--config", "ENV"], tmp_path, {**env, "TAP_SPOTIFY_MAX_CONCURRENCY": "abc"})
    assert_one_clear_line(proc, "TAP_SPOTIFY_MAX_CONCURRENCY", "whole number")


@pytest.mark.parametrize(("state", "words"), [
    ("{oops", ("state file", "not valid JSON")),
    ('["a"]', ("state file", "JSON list")),
    ('{"bookmarks": []}', ("state file", "bookmarks")),
    ('{"bookmarks": {"new_releases": {"synced": "abc"}}}', ("synced", "list of album ids")),
])
def test_bad_state_file(emulator, tmp_path, state, words):
    (tmp_path / "c.json").write_text(json.dumps(tap_config(emulator)))
    (tmp_path / "s.json").write_text(state)
    proc = run(["--config", str(tmp_path / "c.json"), "--state", str(tmp_path / "s.json")],
               tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode != 0 and "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("tap-spotify: error:")
    for word in words:
        assert word in last, last


def test_discover_needs_no_credentials(tmp_path):
    proc = run(["--discover"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    streams = {s["tap_stream_id"] for s in json.loads(proc.stdout)["streams"]}
    assert {"new_releases", "albums", "album_tracks"} <= streams


def test_run_without_credentials_says_what_is_missing(tmp_path):
    proc = run([], tmp_path)
    assert_one_clear_line(proc, "client_id", "TAP_SPOTIFY_CLIENT_ID")


def test_wrong_api_path_is_one_line(emulator, tmp_path):
    config = tap_config(emulator, api_url=emulator.api_url.rstrip("/") + "/v2")
    (tmp_path / "c.json").write_text(json.dumps(config))
    proc = run(["--config", str(tmp_path / "c.json")], tmp_path)
    last = proc.stderr.decode().strip().splitlines()[-1]
    assert proc.returncode != 0 and "Traceback" not in proc.stderr.decode()
    assert last.startswith("tap-spotify: error:") and "api_url" in last and "404" in last


def test_target_that_stops_reading(make_emulator, tmp_path):
    emu = make_emulator(new_releases=200, seed=4)
    (tmp_path / "c.json").write_text(json.dumps(tap_config(emu)))
    tap = subprocess.Popen([sys.executable, "-m", "tap_spotify", "--config",
                            str(tmp_path / "c.json")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=tmp_path)
    head = subprocess.run(["head", "-n", "5"], stdin=tap.stdout, capture_output=True,
                          check=False, timeout=60)
    assert tap.stdout is not None
    tap.stdout.close()
    _, err = tap.communicate(timeout=60)
    text = err.decode()
    assert len(head.stdout.splitlines()) == 5
    assert tap.returncode == 1
    assert "Traceback" not in text and "BrokenPipeError" not in text, text
    assert text.strip().splitlines()[-1].startswith(
        "tap-spotify: error: the target stopped reading")
