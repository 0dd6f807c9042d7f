"""Run the real tap over synthetic privacy exports (see synthetic.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.history.synthetic import Play
from tests.tap.conftest import TapRun, run_tap

HISTORY = "streaming_history"
ACCOUNT = "streaming_history_account"


@pytest.fixture(scope="session")
def history_catalog(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The catalog `--discover` writes for a history-only config (discovery never reads
    the files, so any path does)."""
    work = tmp_path_factory.mktemp("catalog")
    config = work / "config.json"
    config.write_text(json.dumps({"streaming_history_path": str(work)}))
    proc = subprocess.run([sys.executable, "-m", "tap_spotify", "--config", str(config),
                           "--discover"], capture_output=True, cwd=work, check=True,
                          timeout=120)
    catalog = json.loads(proc.stdout)
    assert sorted(e["tap_stream_id"] for e in catalog["streams"]) == [HISTORY, ACCOUNT]
    return catalog


@pytest.fixture
def sync(tmp_path: Path):
    """`sync(paths, state=..., catalog=..., **settings)`: one run of the tap with only
    `streaming_history_path` (and `settings`) set: no Spotify credentials."""

    def run(paths: str | Path | list, *, state: dict | None = None,
            catalog: dict | None = None, **settings: Any) -> TapRun:
        value = [str(p) for p in paths] if isinstance(paths, list) else str(paths)
        config = {"streaming_history_path": value, **settings}
        return run_tap(tmp_path / "run", config, state=state, catalog=catalog, timeout=300)

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
            record.get("artistName") or record.get("podcastName"),
            record.get("trackName") or record.get("episodeName"))


def account_play_identity(play: Play) -> tuple:
    return play.end_time, play.ms_played, play.creator, play.name


def multiset(items: Any) -> Counter:
    return Counter(items)


def history_state(run: TapRun, stream: str = HISTORY) -> dict:
    return run.state["bookmarks"][stream]
