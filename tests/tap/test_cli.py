"""The command line: --about, --discover, and `--config ENV` with a `.env` file."""

from __future__ import annotations

import json

from devkit.tap import tap_process as _tap
from tests.tap.conftest import tap_config


def test_config_env_reads_dotenv_in_the_working_directory(make_emulator, tmp_path):
    emu = make_emulator(new_releases=5, seed=1)
    settings = tap_config(emu, page_size=2)
    (tmp_path / ".env").write_text("".join(f"TAP_SPOTIFY_{k.upper()}={v}\n"
                                           for k, v in settings.items()))
    proc = _tap(["--config", "ENV"], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert sum(m["type"] == "RECORD" and m["stream"] == "new_releases" for m in records) == 5
    assert emu.backend.stats()["counts"]["new_releases"] == 3  # page_size 2 came from .env


def test_environment_wins_over_dotenv(make_emulator, tmp_path):
    emu = make_emulator(new_releases=3, seed=1)
    settings = tap_config(emu, client_secret="wrong-secret-from-dotenv")
    (tmp_path / ".env").write_text("".join(f"TAP_SPOTIFY_{k.upper()}={v}\n"
                                           for k, v in settings.items()))
    proc = _tap(["--config", "ENV"], tmp_path,
                {"TAP_SPOTIFY_CLIENT_SECRET": emu.backend.options.client_secret})
    assert proc.returncode == 0, proc.stderr.decode()


def test_about_and_discover(tmp_path):
    about = _tap(["--about", "--format=markdown"], tmp_path)
    assert about.returncode == 0
    text = about.stdout.decode()
    for setting in ("client_id", "client_secret", "api_url", "auth_url", "market", "page_size",
                    "start_date", "new_releases_source", "max_retry_wait",
                    "max_concurrency"):
        assert f"| {setting} |" in text
    catalog = json.loads(_tap(["--discover"], tmp_path).stdout)
    streams = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert set(streams) == {"listeners", "new_releases", "albums", "album_tracks", "me",
                            "recently_played", "top_tracks", "top_artists", "saved_tracks",
                            "saved_albums", "followed_artists", "playlists", "playlist_items",
                            "streaming_history", "streaming_history_account"}
    assert streams["album_tracks"]["key_properties"] == ["id"]
    assert streams["new_releases"].get("replication_key") is None  # incremental by its own state


def test_connection_test_checks_every_selected_stream_quietly(make_emulator, tmp_path):
    for profile in ("extended", "development"):
        emu = make_emulator(new_releases=5, profile=profile)
        (tmp_path / "c.json").write_text(json.dumps(tap_config(emu)))
        proc = _tap(["--config", str(tmp_path / "c.json"), "--test"], tmp_path)
        err = proc.stderr.decode()
        assert proc.returncode == 0, err
        assert "ERROR" not in err and "Traceback" not in err
        streams = {json.loads(line).get("stream") for line in proc.stdout.splitlines()
                   if json.loads(line)["type"] == "RECORD"}
        assert {"new_releases", "albums", "album_tracks"} <= streams  # children too
        assert emu.backend.stats()["counts"]["new_releases"] + emu.backend.stats()[
            "counts"]["search"] <= 2


def test_connection_test_with_wrong_credentials_is_one_line(emulator, tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(tap_config(emulator, client_secret="nope")))
    proc = _tap(["--config", str(tmp_path / "c.json"), "--test"], tmp_path)
    last = proc.stderr.decode().strip().splitlines()[-1]
    assert proc.returncode == 1
    assert last.startswith("tap-spotify: error: Spotify rejected the client credentials")
