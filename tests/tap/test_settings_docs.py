"""Every copy of the settings (meltano.yml's and tap-spotify.yml's settings blocks,
.env.example, the README's table) is what `tap-spotify --about` says: each setting is
declared once, in tap_spotify/settings.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FILES = ("meltano.yml", "tap-spotify.yml", ".env.example", "README.md")


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "settings_docs.py"),
                           "--check", "--root", str(root)], capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_copies_of_the_settings_are_fresh():
    proc = check(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("name", "old", "new"), [
    ("README.md", "| `page_size` | `50` |", "| `page_size` | `20` |"),
    (".env.example", "# TAP_SPOTIFY_MAX_CONCURRENCY=8", "# TAP_SPOTIFY_MAX_CONCURRENCY=9"),
    ("meltano.yml", "Most requests in flight at once", "Requests in flight"),
    ("tap-spotify.yml", "Most requests in flight at once", "Requests in flight"),
])
def test_a_stale_copy_is_named(tmp_path, name, old, new):
    for file in FILES:
        shutil.copy(REPO / file, tmp_path / file)
    text = (tmp_path / name).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = check(tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.strip() == f"{name} is stale: run python scripts/settings_docs.py"
