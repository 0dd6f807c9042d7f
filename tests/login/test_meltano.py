"""`tap-spotify login` as a Meltano plugin command, in a real Meltano project: made with
`meltano init`, the extractor added from this clone's plugin definition
(tap-spotify.yml: `pip_url: -e` this clone, and the `login` command), and an inherited
`tap-spotify--alice` for a second listener. Meltano runs login with the plugin's
settings in the environment; the token must land where that plugin reads it."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

from spotify_emulator import EmulatorServer
from tests.login.helpers import (
    REPO,
    Finished,
    Login,
    assert_secret_free,
    play_browser,
    refreshes,
    today_utc,
)
from tests.meltano.helpers import MELTANO, Meltano, base_env

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Meltano:
    """A new Meltano project with tap-spotify from this clone and tap-spotify--alice,
    installed once for the module."""
    if MELTANO is None:
        pytest.skip("meltano is not installed here: pip install -e '.[dev]'")
    env = {**base_env(), "TAP_SPOTIFY_CHECKOUT": str(REPO)}  # tap-spotify.yml's pip_url
    folder = tmp_path_factory.mktemp("meltano-login")
    Meltano(folder, env)("init", "project", "--no-usage-stats")
    meltano = Meltano(folder / "project", env)
    meltano("add", "--plugin-type", "extractor", "tap-spotify", "--from-ref",
            str(REPO / "tap-spotify.yml"), timeout=900)
    meltano("add", "--plugin-type", "extractor", "tap-spotify--alice", "--inherit-from",
            "tap-spotify")
    return meltano


@pytest.fixture
def meltano(installed: Meltano, emulator: EmulatorServer) -> Iterator[Meltano]:
    """The project, its .env holding the app's settings (pointing at the emulator) and
    the parent plugin's own token, as a user's project would."""
    settings = {"CLIENT_ID": emulator.backend.options.client_id,
                "CLIENT_SECRET": emulator.backend.options.client_secret,
                "AUTHORIZE_URL": emulator.authorize_url, "AUTH_URL": emulator.token_url,
                "REFRESH_TOKEN": "the-parents-token"}
    (installed.root / ".env").write_text("".join(
        f"TAP_SPOTIFY_{name}={value}\n" for name, value in settings.items()))
    yield installed


def invoke_login(meltano: Meltano, plugin: str, *args: str, cwd: Path | None = None,
                 ) -> tuple[Finished, str]:
    """`meltano invoke PLUGIN:login --no-browser --port 0 ARGS`, with the browser played;
    returns the finished login and the code Spotify sent back."""
    assert MELTANO is not None
    login = Login(["--no-browser", "--port", "0", *args], cwd or meltano.root,
                  command=[MELTANO, "invoke", f"{plugin}:login"], environ=meltano.env)
    try:
        page, code = play_browser(login.url())
        done = login.finish(timeout=120)
    finally:
        login.stop()
    assert "close this tab" in page.text
    return done, code


def config_of(meltano: Meltano, plugin: str) -> dict:
    return json.loads(meltano("config", "--unsafe", "print", plugin).stdout)


def test_an_inherited_plugin_gets_its_own_token_under_its_own_names(
        meltano: Meltano, emulator: EmulatorServer) -> None:
    done, code = invoke_login(meltano, "tap-spotify--alice")
    assert done.returncode == 0, done.stderr

    env_file = meltano.root / ".env"
    stored = dotenv_values(env_file)
    token = stored["TAP_SPOTIFY__ALICE_REFRESH_TOKEN"]
    assert token and refreshes(emulator, token)
    assert stored["TAP_SPOTIFY__ALICE_REFRESH_TOKEN_DATE"] == today_utc()
    assert stored["TAP_SPOTIFY_REFRESH_TOKEN"] == "the-parents-token"  # untouched
    assert "TAP_SPOTIFY_REFRESH_TOKEN_DATE" not in stored
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert (f"Stored TAP_SPOTIFY__ALICE_REFRESH_TOKEN and TAP_SPOTIFY__ALICE_REFRESH_TOKEN_DATE"
            f" for the Meltano plugin tap-spotify--alice in {env_file} ") in done.stdout
    assert "run meltano invoke tap-spotify--alice:login again" in done.stdout
    assert "User streams enabled: me, recently_played" in done.stdout
    assert_secret_free(done.stdout.split("\n", 1)[1] + done.stderr, token, code,
                       emulator.backend.options.client_secret)

    # Meltano reads them as alice's settings; the parent keeps its own.
    alice = config_of(meltano, "tap-spotify--alice")
    assert (alice["refresh_token"], alice["refresh_token_date"]) == (token, today_utc())
    assert config_of(meltano, "tap-spotify")["refresh_token"] == "the-parents-token"
    listed = meltano("config", "list", "tap-spotify--alice").stdout
    assert "TAP_SPOTIFY__ALICE_REFRESH_TOKEN" in listed


def test_the_plugin_itself_from_a_subfolder_and_env_file(meltano: Meltano,
                                                         emulator: EmulatorServer) -> None:
    """Run from a folder below the project, the token still goes to the project's .env;
    --env-file (passed through by Meltano) still chooses another file."""
    done, _ = invoke_login(meltano, "tap-spotify", cwd=meltano.root / "extract")
    assert done.returncode == 0, done.stderr
    stored = dotenv_values(meltano.root / ".env")
    assert stored["TAP_SPOTIFY_REFRESH_TOKEN"] not in ("the-parents-token", None)
    assert stored["TAP_SPOTIFY_REFRESH_TOKEN_DATE"] == today_utc()
    assert not (meltano.root / "extract" / ".env").exists()
    assert "for the Meltano plugin tap-spotify in " in done.stdout
    assert config_of(meltano, "tap-spotify")["refresh_token"] == stored[
        "TAP_SPOTIFY_REFRESH_TOKEN"]

    done, _ = invoke_login(meltano, "tap-spotify", "--env-file", "other.env")
    assert done.returncode == 0, done.stderr
    assert list(dotenv_values(meltano.root / "other.env")) == [
        "TAP_SPOTIFY_REFRESH_TOKEN", "TAP_SPOTIFY_REFRESH_TOKEN_DATE"]
    assert dotenv_values(meltano.root / ".env") == stored
