"""Whose plays: every record carries `listener_id`, from the tap when it knows the
listener, else from the download (its username), else "default"; one listener per run
and per state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.tap import TapRun
from tap_spotify.errors import ConfigError
from tap_spotify.streams.history import download_username
from tests.history.conftest import (
    ACCOUNT,
    HISTORY,
    assert_fails_naming,
    history_state,
)
from tests.history.synthetic import make_plays, write_account, write_extended

HERE = Path(__file__).parent


def listeners(run, stream: str = HISTORY) -> set[str]:
    return {record["listener_id"] for record in run.records(stream)}


def test_an_old_export_names_its_listener(sync, tmp_path):
    write_extended(tmp_path / "x", make_plays(200, seed=41), old=True, username="alice")

    run = sync(tmp_path / "x")

    assert run.returncode == 0, run.stderr
    assert listeners(run) == {"alice"}
    assert history_state(run)["listener_id"] == "alice"


def test_a_download_that_names_no_one_is_the_default_listener_said_once(sync, tmp_path):
    plays = make_plays(300, seed=42)
    write_extended(tmp_path / "x", plays)  # today's files: no username
    write_account(tmp_path / "y", plays[100:])
    (tmp_path / "y" / "Userdata.json").unlink()

    run = sync([tmp_path / "x", tmp_path / "y"])

    assert run.returncode == 0, run.stderr
    assert listeners(run) == listeners(run, ACCOUNT) == {"default"}
    said = [line for line in run.stderr.splitlines() if "'default'" in line]
    assert len(said) == 1 and "INFO" in said[0] and "listener_id" in said[0], run.stderr


def test_account_data_names_its_listener_for_both_streams(sync, tmp_path):
    plays = make_plays(300, seed=43)
    write_extended(tmp_path / "extended", plays)
    write_account(tmp_path / "account", plays[150:], username="bob")  # Userdata.json

    run = sync([tmp_path / "extended", tmp_path / "account"])

    assert run.returncode == 0, run.stderr
    assert listeners(run) == listeners(run, ACCOUNT) == {"bob"}
    assert history_state(run, ACCOUNT)["listener_id"] == "bob"


@pytest.mark.parametrize("second", ["endsong", "userdata"])
def test_a_download_of_two_listeners_stops_with_one_line(sync, tmp_path, second):
    plays = make_plays(300, seed=44)
    write_extended(tmp_path / "a", plays[:150], old=True, username="alice")
    if second == "endsong":
        write_extended(tmp_path / "b", plays[150:], old=True, username="bob")
    else:
        write_account(tmp_path / "b", plays[150:], username="bob")

    run = sync([tmp_path / "a", tmp_path / "b"])

    assert_fails_naming(run, "2 Spotify accounts", "'alice', 'bob'", "listener_id")
    assert run.records(HISTORY) == [] and run.records(ACCOUNT) == []


def test_a_later_file_naming_another_listener_stops(sync, tmp_path):
    """The cheap look names one listener (first entries); every entry is checked."""
    plays = make_plays(200, seed=45, video_every=0)
    files = write_extended(tmp_path / "x", plays, old=True, per_file=100, username="alice")
    records = json.loads(files[1].read_text())
    records[-1]["username"] = "mallory"
    files[1].write_text(json.dumps(records))

    run = sync(tmp_path / "x")

    assert_fails_naming(run, "'alice', 'mallory'")
    assert run.records(HISTORY) == []


def test_a_state_of_another_listener_stops_before_any_record(sync, tmp_path):
    plays = make_plays(400, seed=46)
    write_extended(tmp_path / "new", plays[:200])
    write_extended(tmp_path / "old", plays[200:], old=True, username="alice")
    first = sync(tmp_path / "new")
    assert history_state(first)["listener_id"] == "default"

    second = sync([tmp_path / "new", tmp_path / "old"], state=first.state)

    assert_fails_naming(second, "streaming_history", "listener 'default'",
                        "listener 'alice'", "its own state")
    assert second.records(HISTORY) == []


def run_listener_tap(work: Path, config: dict, state: dict | None = None) -> TapRun:
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.json").write_text(json.dumps(config))
    args = [sys.executable, str(HERE / "listener_tap.py"), "--config",
            str(work / "config.json")]
    if state is not None:
        (work / "state.json").write_text(json.dumps(state))
        args += ["--state", str(work / "state.json")]
    proc = subprocess.run(args, capture_output=True, cwd=Path.cwd(), timeout=300,
                          check=False)
    run = TapRun(proc.returncode, proc.stdout, proc.stderr.decode())
    run.messages = [json.loads(line) for line in proc.stdout.splitlines()]
    return run


def test_the_listener_the_tap_knows_wins_asked_once_per_sync(tmp_path):
    plays = make_plays(300, seed=47)
    write_extended(tmp_path / "x", plays, old=True, username="alice")
    write_account(tmp_path / "y", plays[100:], username="bob")  # two names: no matter

    run = run_listener_tap(tmp_path / "run", {
        "streaming_history_path": [str(tmp_path / "x"), str(tmp_path / "y")],
        "listener": "carol"})

    assert run.returncode == 0, run.stderr
    assert listeners(run) == listeners(run, ACCOUNT) == {"carol"}
    assert len(run.records(HISTORY)) == 300 and len(run.records(ACCOUNT)) == 200
    assert run.stderr.count("listener asked") == 2  # once for each stream's sync
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")
    assert schema["key_properties"] == ["listener_id", "play_id"]


def test_when_the_tap_knows_no_listener_the_download_says(tmp_path):
    write_extended(tmp_path / "x", make_plays(100, seed=48), old=True, username="alice")

    run = run_listener_tap(tmp_path / "run", {"streaming_history_path": str(tmp_path / "x")})

    assert run.returncode == 0, run.stderr
    assert listeners(run) == {"alice"}


def test_download_username_reads_little(tmp_path):
    plays = make_plays(200, seed=49)
    write_extended(tmp_path / "old", plays, old=True, username="alice")
    write_extended(tmp_path / "new", plays)
    write_account(tmp_path / "account", plays, username="alice")
    write_account(tmp_path / "other", plays, username="bob")

    assert download_username(str(tmp_path / "old")) == "alice"
    assert download_username(str(tmp_path / "new")) is None
    assert download_username([str(tmp_path / "new"), str(tmp_path / "account")]) == "alice"
    assert download_username(json.dumps([str(tmp_path / "old"),
                                         str(tmp_path / "account")])) == "alice"
    with pytest.raises(ConfigError, match="'alice', 'bob'"):
        download_username([str(tmp_path / "old"), str(tmp_path / "other")])


def test_without_a_path_the_streams_read_nothing_and_ask_no_one(tmp_path):
    run = run_listener_tap(tmp_path / "run", {"listener": "carol"})

    assert run.returncode == 0, run.stderr
    assert {m["stream"] for m in run.messages if m["type"] == "SCHEMA"} == {HISTORY, ACCOUNT}
    assert run.records(HISTORY) == [] and run.records(ACCOUNT) == []
    assert "listener asked" not in run.stderr
