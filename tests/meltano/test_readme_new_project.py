"""The README's "tap-spotify with Meltano" commands, copied one by one into a shell, in a
brand-new Meltano project: `meltano init`, the tap added from this clone's plugin
definition, target-jsonl from (a stand-in for) Meltano Hub, the credentials through
`meltano config set`, login through Meltano, a run. Then what a default run says on
stderr: no METRIC lines, and the cause of a failure at `error` level."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from dotenv import dotenv_values

from spotify_emulator import EmulatorServer
from tests.meltano.helpers import (
    REPO_ROOT,
    Meltano,
    assert_exactly,
    expected_from,
    logged,
    read_jsonl,
    surprises,
)
from tests.meltano.household import expected_rows
from tests.meltano.hub import stand_in_hub
from tests.meltano.readme import Shell, readme_commands, user_env

pytestmark = pytest.mark.timeout(1200)


def rows_per_file(folder: Path) -> dict[str, int]:
    return {path.stem: sum(1 for line in path.read_text().splitlines() if line.strip())
            for path in folder.glob("*.jsonl")}


def test_the_readme_commands_in_a_new_meltano_project(
        tmp_path: Path, spotify: EmulatorServer, meltano_available: None) -> None:
    commands = readme_commands("meltano-new-project", {
        "/path/to/tap-spotify": str(REPO_ROOT),
        "YOUR_CLIENT_ID": spotify.backend.options.client_id,
        "YOUR_CLIENT_SECRET": spotify.backend.options.client_secret})
    spotify.backend.users.sign_in("listener")
    with stand_in_hub() as hub:
        # Spotify's URLs as a user could give any setting: TAP_SPOTIFY_* variables.
        env = user_env(MELTANO_HUB_URL=hub, TAP_SPOTIFY_API_URL=spotify.api_url,
                       TAP_SPOTIFY_AUTH_URL=spotify.token_url,
                       TAP_SPOTIFY_AUTHORIZE_URL=spotify.authorize_url)
        shell = Shell(tmp_path, env)
        for line in commands:
            done = shell(line)
    assert commands[-1] == "meltano run tap-spotify target-jsonl"
    assert not surprises(done.stderr), surprises(done.stderr)

    project = Meltano(shell.cwd, env)
    plugins = project.yaml()["plugins"]
    (tap,) = plugins["extractors"]
    assert (tap["name"], tap["variant"], tap["pip_url"]) == (
        "tap-spotify", "tap-spotify-listening", "-e ${TAP_SPOTIFY_CHECKOUT}")
    assert [loader["name"] for loader in plugins["loaders"]] == ["target-jsonl"]
    assert "utilities" not in plugins  # `meltano add extractor ...` would have added one
    stored = dotenv_values(project.root / ".env")
    assert stored["TAP_SPOTIFY_CHECKOUT"] == str(REPO_ROOT)
    assert stored["TAP_SPOTIFY_CLIENT_SECRET"] == spotify.backend.options.client_secret
    assert stored["TAP_SPOTIFY_REFRESH_TOKEN"]
    assert tap["config"]["client_id"] == spotify.backend.options.client_id

    # What the run loaded: the catalog, and the listener's own data.
    output = project.root / "output"
    assert_exactly(read_jsonl(output), expected_from(spotify))
    loaded = rows_per_file(output)
    want = expected_rows(spotify, "listener")
    assert {stream: loaded.get(stream, 0) for stream in want} == want

    # A default run: lines a person reads, no METRIC lines (a fifth at the very most).
    err = project("run", "tap-spotify", "target-jsonl").stderr
    lines = [line for line in err.splitlines() if line.strip()]
    metric = [line for line in lines if "METRIC" in line]
    assert not metric and len(metric) <= len(lines) / 5, metric[:3]
    err = project("run", "tap-spotify", "target-jsonl",
                  env={"TAP_SPOTIFY_METRICS_LOG_LEVEL": "INFO"}).stderr
    assert "METRIC" in err  # the setting brings them back, and this test would see them

    # A failing tap: its cause, one line, logged by Meltano at error level.
    failed = project("run", "tap-spotify", "target-jsonl", check=False,
                     env={"TAP_SPOTIFY_CLIENT_SECRET": "not-the-secret"})
    assert failed.returncode != 0
    said = logged(failed.stderr)
    cause = [(level, message) for level, who, message in said
             if who == "tap-spotify" and "tap-spotify: error:" in message]
    assert len(cause) == 1, said
    level, message = cause[0]
    assert level == "error", cause
    assert "client" in message and "not-the-secret" not in failed.stderr
    assert ("error", "meltano", "Extractor failed") in said
    assert "Traceback" not in failed.stderr and "Error details" not in failed.stderr
    levels = Counter(level for level, _, _ in said)
    assert levels["error"] <= 4, said  # the cause and Meltano's own few, no more
