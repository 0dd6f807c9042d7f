"""Run the real tap over synthetic privacy exports (see synthetic.py).

The history needs no Spotify and no emulator: the runner here is the one of
tests/tap/conftest.py without the emulator's imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from devkit.tap import TapRun, run_tap
from tests.history.synthetic import Play

HISTORY = "streaming_history"
ACCOUNT = "streaming_history_account"
HISTORY_STREAMS = (HISTORY, ACCOUNT)


def select_history_only(catalog: dict) -> dict:
    """The catalog with the two history streams selected and every other one not."""
    catalog = json.loads(json.dumps(catalog))
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"] in HISTORY_STREAMS
    return catalog


@pytest.fixture(scope="session")
def history_catalog(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The catalog `--discover` writes for a history-only config (discovery never reads
    the files, so any path does), with only the history streams selected: these tests
    are about them, whatever else the tap would run."""
    work = tmp_path_factory.mktemp("catalog")
    config = work / "config.json"
    config.write_text(json.dumps({"streaming_history_path": str(work)}))
    proc = subprocess.run([sys.executable, "-m", "tap_spotify", "--config", str(config),
                           "--discover"], capture_output=True, cwd=work, check=True,
                          timeout=120)
    catalog = select_history_only(json.loads(proc.stdout))
    assert set(HISTORY_STREAMS) <= {e["tap_stream_id"] for e in catalog["streams"]}
    return catalog


@pytest.fixture
def sync(tmp_path: Path, history_catalog: dict):
    """`sync(paths, state=..., catalog=..., **settings)`: one run of the tap with only
    `streaming_history_path` (and `settings`) set: no Spotify credentials."""

    def run(paths: str | Path | list, *, state: dict | None = None,
            catalog: dict | None = None, **settings: Any) -> TapRun:
        value = [str(p) for p in paths] if isinstance(paths, list) else str(paths)
        config = {"streaming_history_path": value, **settings}
        return run_tap(tmp_path / "run", config, state=state,
                       catalog=catalog or history_catalog, timeout=300)

    return run


def extended_identity(record: dict) -> tuple:
    """What tells plays apart in extended history: stop time, ms played, URI."""
    uri = (record.get("spotify_track_uri") or record.get("spotify_episode_uri")
           or record.get("audiobook_chapter_uri"))
    return record["ts"], record["ms_played"], uri


def play_identity(play: Play) -> tuple:
    return play.ts_text, play.ms_played, play.uri


def account_identity(record: dict) -> tuple:
    return (record["endTime"], record["msPlayed"],
            record.get("artistName") or record.get("podcastName")
            or record.get("audiobookName"),
            record.get("trackName") or record.get("episodeName") or record.get("chapterName"))


def account_play_identity(play: Play) -> tuple:
    return play.end_time, play.ms_played, play.creator, play.name


def multiset(items: Any) -> Counter:
    return Counter(items)


def history_state(run: TapRun, stream: str = HISTORY) -> dict:
    return run.state["bookmarks"][stream]


def warnings(run: TapRun, *words: str) -> list[str]:
    """The stderr lines of level WARNING holding every one of `words`."""
    return [line for line in run.stderr.splitlines()
            if "WARNING" in line and all(word in line for word in words)]


def assert_fails_naming(run: TapRun, *words: str) -> None:
    """The run failed with one line, `tap-spotify: error: ...`, holding every word."""
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    line = run.last_stderr_line
    assert line.startswith("tap-spotify: error: "), run.stderr
    for word in words:
        assert word in line, line
