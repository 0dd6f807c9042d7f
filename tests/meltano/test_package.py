"""The published-package path: the sdist and the wheel build, hold the tap and only the
tap, and the wheel installs and runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from tests.meltano.helpers import REPO_ROOT, base_env


def test_sdist_and_wheel_build_and_the_wheel_runs(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO_ROOT)],
                   check=True, capture_output=True, timeout=600, env=base_env())
    (wheel,) = dist.glob("tap_spotify-*.whl")
    (sdist,) = dist.glob("tap_spotify-*.tar.gz")

    names = zipfile.ZipFile(wheel).namelist()
    sources = {path.relative_to(REPO_ROOT).as_posix()
               for path in (REPO_ROOT / "tap_spotify").rglob("*.py")}
    assert "tap_spotify/tap.py" in sources
    assert sources <= set(names), f"not in the wheel: {sorted(sources - set(names))}"
    assert not [n for n in names if n.startswith(("tests/", "spotify_emulator/"))]
    assert any(n.endswith("LICENSE") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tap-spotify = tap_spotify.cli:main" in zipfile.ZipFile(wheel).read(
        entry_points).decode()
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(m.endswith("tap_spotify/tap.py") for m in members)

    # Installed on its own (its dependencies come from this environment), it is what runs.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                    "--target", str(target), str(wheel)], check=True, timeout=300)
    env = {**base_env(), "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c",
                            "import tap_spotify; print(tap_spotify.__file__)"],
                           capture_output=True, text=True, check=True, env=env, cwd=tmp_path)
    assert where.stdout.startswith(str(target))
    about = subprocess.run([sys.executable, "-m", "tap_spotify", "--about", "--format=json"],
                           capture_output=True, text=True, check=True, env=env, cwd=tmp_path)
    assert json.loads(about.stdout)["name"] == "tap-spotify"
