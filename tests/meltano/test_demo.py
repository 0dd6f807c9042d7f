"""`bash scripts/demo.sh` (README command 1) runs end to end and prints true counts.

It runs in the repository itself, as a user would: it reuses .venv (installing into it
only if the demo never did), installs Meltano's plugins into .meltano/ and writes
output/demo/ and output/demo-incremental/ (all ignored by git)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from spotify_emulator import EmulatorOptions, SpotifyBackend
from tests.meltano.helpers import REPO_ROOT, base_env


def _count_lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def test_demo_script(meltano_available: None):
    proc = subprocess.run(["bash", "scripts/demo.sh"], cwd=REPO_ROOT, env=base_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]

    catalog = SpotifyBackend(EmulatorOptions(new_releases=250)).catalog  # the demo's catalog
    tracks = sum(a.total_tracks for a in catalog.new_releases)
    full = REPO_ROOT / "output" / "demo"
    assert _count_lines(full / "new_releases.jsonl") == 250
    assert _count_lines(full / "albums.jsonl") == 250
    assert _count_lines(full / "album_tracks.jsonl") == tracks
    assert re.search(rf"album_tracks\s+{tracks} records\s+output/demo/album_tracks\.jsonl",
                     output), output

    incremental = REPO_ROOT / "output" / "demo-incremental"
    names = {json.loads(line)["name"]
             for line in (incremental / "albums.jsonl").read_text().splitlines()}
    assert names == {"Demo Album One", "Demo Single Two"}
    assert _count_lines(incremental / "album_tracks.jsonl") == 16  # 14 + 2 tracks
    assert "PROBLEM" not in output
    assert "new_releases: 252 listed albums remembered as synced" in output

    # Your own data, after `tap-spotify login --no-browser` against the emulator.
    user = REPO_ROOT / "output" / "demo-user"
    listener = SpotifyBackend(EmulatorOptions(new_releases=250)).users.summary()["counts"]
    assert _count_lines(user / "me.jsonl") == 1
    assert _count_lines(user / "recently_played.jsonl") == listener["readable_plays"]
    assert _count_lines(user / "saved_tracks.jsonl") == listener["saved_tracks"]
    assert _count_lines(user / "playlists.jsonl") == listener["playlists"]
    assert "User streams enabled: me, recently_played" in output
    assert "TAP_SPOTIFY_REFRESH_TOKEN=" not in output
