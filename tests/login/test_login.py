"""`tap-spotify login` end to end over real HTTP: the subprocess, the emulator's
/authorize and token endpoint, and `requests` playing the browser."""

from __future__ import annotations

import json
import re
import socket
import stat
import time
from pathlib import Path

import pytest
import requests
from dotenv import dotenv_values

from tap_spotify import spotify
from tap_spotify.streams import USER_STREAMS, user_scopes
from tests.login.helpers import (
    assert_secret_free,
    config_for,
    play_browser,
    refreshes,
    today_utc,
)

pytestmark = pytest.mark.timeout(120)

#: Spelled out here: what login asks and enables must not change unnoticed.
ALL_SCOPES = ["user-read-private", "user-read-email", "user-read-recently-played",
              "user-top-read", "user-library-read", "user-follow-read",
              "playlist-read-private", "playlist-read-collaborative"]
ALL_STREAMS = ["me", "recently_played", "top_tracks", "top_artists", "saved_tracks",
               "saved_albums", "followed_artists", "playlists", "playlist_items"]
EXISTING_ENV = ("# my settings\n"
                "TAP_SPOTIFY_CLIENT_ID=from-dotenv   # kept as is\n"
                "\n"
                "TAP_SPOTIFY_REFRESH_TOKEN=old-token\n"
                "export OTHER='x y'\n"
                "TAP_SPOTIFY_REFRESH_TOKEN_DATE=2020-01-01\n"
                "TAP_SPOTIFY_REFRESH_TOKEN=older-duplicate\n"
                "# last comment, no newline at the end")


def test_the_lists_above_are_the_streams_own():
    assert list(user_scopes()) == ALL_SCOPES
    assert list(USER_STREAMS) == ALL_STREAMS


# ------------------------------------------------------------------- the whole flow

def test_login_stores_a_working_refresh_token(start_login, config_file, workdir, emulator):
    env_file = workdir / ".env"
    env_file.write_text(EXISTING_ENV)
    env_file.chmod(0o644)
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    query = login.query()
    redirect = query["redirect_uri"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/callback", redirect)
    assert spotify.redirect_uri_problem(redirect) is None  # one Spotify accepts
    assert query["response_type"] == "code"
    assert query["client_id"] == emulator.backend.options.client_id
    assert query["scope"].split() == ALL_SCOPES
    assert query["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])
    assert len(query["state"]) >= 16
    port = int(redirect.split(":")[2].split("/")[0])

    # Other paths (a browser's favicon request) get 404 and do not end the flow.
    favicon = requests.get(f"http://127.0.0.1:{port}/favicon.ico", timeout=10)
    assert favicon.status_code == 404

    page, code = play_browser(login.first_line)
    done = login.finish()
    assert done.returncode == 0, done.stderr
    assert page.status_code == 200
    assert "close this tab" in page.text
    assert code and code not in page.text

    stored = dotenv_values(env_file)
    token = stored["TAP_SPOTIFY_REFRESH_TOKEN"]
    assert token and token not in ("old-token", "older-duplicate")
    assert stored["TAP_SPOTIFY_REFRESH_TOKEN_DATE"] == today_utc()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    lines = env_file.read_text().splitlines()
    assert lines == ["# my settings", "TAP_SPOTIFY_CLIENT_ID=from-dotenv   # kept as is", "",
                     f"TAP_SPOTIFY_REFRESH_TOKEN={token}", "export OTHER='x y'",
                     f"TAP_SPOTIFY_REFRESH_TOKEN_DATE={today_utc()}",
                     "# last comment, no newline at the end"]
    assert sorted(p.name for p in workdir.iterdir()) == [".env", "config.json"]  # no temp

    assert refreshes(emulator, token)  # at the token endpoint, as the tap will use it

    output = done.stdout.split("\n", 1)[1] + done.stderr
    assert_secret_free(output, token, code, emulator.backend.options.client_secret)
    assert f"User streams enabled: {', '.join(ALL_STREAMS)}." in done.stdout
    assert "not enabled" not in done.stdout
    assert "it was 0644" in done.stdout
    assert "valid until about " in done.stdout and "Meltano" not in done.stdout
    assert redirect in done.stderr  # the exact URI to register


def test_settings_in_dotenv_and_a_new_env_file_elsewhere(start_login, workdir, emulator):
    """Settings from ./.env only; --env-file in a subfolder is created private."""
    (workdir / ".env").write_text("".join(
        f"TAP_SPOTIFY_{key.upper()}={value}\n" for key, value in config_for(emulator).items()))
    (workdir / "secrets").mkdir()
    login = start_login("--no-browser", "--port=0", "--env-file", "secrets/tap.env")
    page, _ = play_browser(login.url())
    done = login.finish()
    assert done.returncode == 0, done.stderr
    assert "close this tab" in page.text
    created = workdir / "secrets" / "tap.env"
    assert stat.S_IMODE(created.stat().st_mode) == 0o600
    assert list(dotenv_values(created)) == ["TAP_SPOTIFY_REFRESH_TOKEN",
                                            "TAP_SPOTIFY_REFRESH_TOKEN_DATE"]
    assert "secrets/tap.env" in done.stdout
    assert "REFRESH_TOKEN" not in (workdir / ".env").read_text()


def test_narrowed_scopes_enable_only_their_streams(start_login, config_file, workdir):
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file),
                        "--scopes", "user-top-read, user-read-recently-played,user-top-read")
    assert login.query()["scope"] == "user-top-read user-read-recently-played"
    play_browser(login.first_line)
    done = login.finish()
    assert done.returncode == 0, done.stderr
    assert "User streams enabled: recently_played, top_tracks, top_artists." in done.stdout
    not_enabled = next(line for line in done.stdout.splitlines() if "not enabled" in line)
    for stream in ("me", "saved_tracks", "saved_albums", "followed_artists", "playlists",
                   "playlist_items"):
        assert stream in not_enabled
    assert "without --scopes" in not_enabled


def test_space_separated_scopes(start_login, config_file):
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file),
                        "--timeout", "0.5", "--scopes", "user-follow-read user-read-email")
    assert login.query()["scope"] == "user-follow-read user-read-email"
    assert login.finish().returncode == 1


# ------------------------------------------------------------ the flow going wrong

def assert_failed(done, *words: str, env_file: Path | None = None) -> None:
    """Non-zero exit, exactly one error line (no traceback) naming `words`, no file."""
    assert done.returncode != 0
    assert len(done.error_lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.error_lines[0]
    if env_file is not None:
        assert not env_file.exists()


def test_refused_consent(start_login, config_file, workdir, emulator):
    emulator.backend.users.consent = "deny"
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    login.url()
    page, _ = play_browser(login.first_line)
    assert_failed(login.finish(), "access_denied", "again", env_file=workdir / ".env")
    assert "Sign-in failed" in page.text


def test_stray_requests_do_not_end_the_login(start_login, config_file, workdir, emulator):
    """Any page open in the browser can request 127.0.0.1: a wrong or missing state, or
    another path, gets an error page and login keeps waiting for the real callback."""
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    redirect = login.query()["redirect_uri"]
    wrong = requests.get(f"{redirect}?code=stolen-code-1234&state=not-the-state", timeout=30)
    missing = requests.get(f"{redirect}?error=access_denied", timeout=30)
    elsewhere = requests.get(redirect.replace("/callback", "/other?state=x"), timeout=30)
    assert (wrong.status_code, missing.status_code, elsewhere.status_code) == (400, 400, 404)
    assert "stolen-code-1234" not in wrong.text
    assert "still waiting" in wrong.text and "still waiting" in missing.text
    assert login.proc.poll() is None

    page, code = play_browser(login.first_line)
    done = login.finish()
    assert done.returncode == 0, done.stderr
    assert "close this tab" in page.text
    token = dotenv_values(workdir / ".env")["TAP_SPOTIFY_REFRESH_TOKEN"]
    assert token and refreshes(emulator, token)
    assert done.stderr.count("was ignored") == 1  # said once, however many came
    assert_secret_free(done.stdout.split("\n", 1)[1] + done.stderr, token, code,
                       "stolen-code-1234")


def test_a_wrong_state_alone_ends_only_at_the_timeout(start_login, config_file, workdir):
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file),
                        "--timeout", "2")
    redirect = login.query()["redirect_uri"]
    page = requests.get(f"{redirect}?code=stolen-code-1234&state=not-the-state", timeout=30)
    assert page.status_code == 400 and "stolen-code-1234" not in page.text
    done = login.finish()
    assert_failed(done, "no answer from the browser within 2 s", env_file=workdir / ".env")
    assert "stolen-code-1234" not in done.stderr


def test_other_callback_error(start_login, config_file, workdir):
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    query = login.query()
    requests.get(f"{query['redirect_uri']}?error=server_error&state={query['state']}",
                 timeout=30)
    assert_failed(login.finish(), "server_error", env_file=workdir / ".env")


def test_rejected_code_exchange(start_login, config_file, workdir):
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    query = login.query()
    page = requests.get(f"{query['redirect_uri']}?code=made-up-code&state={query['state']}",
                        timeout=30)
    done = login.finish()
    assert_failed(done, "invalid_grant", "again", env_file=workdir / ".env")
    assert "made-up-code" not in page.text + done.stderr
    assert "invalid_grant" in page.text


def test_unreachable_token_endpoint(start_login, workdir, emulator):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    config = workdir / "config.json"
    config.write_text(json.dumps(config_for(
        emulator, auth_url=f"http://127.0.0.1:{closed}/api/token")))
    login = start_login("--no-browser", "--port", "0", "--config", str(config))
    play_browser(login.url())
    assert_failed(login.finish(), "could not reach the token endpoint",
                  f"127.0.0.1:{closed}", env_file=workdir / ".env")


def test_a_redirect_from_the_token_endpoint_is_an_error_line(start_login, config_file,
                                                             workdir, emulator):
    emulator.backend.set_hostile(redirect_for=("/api/token",),
                                 redirect_to="http://127.0.0.2:9")
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    play_browser(login.url())
    done = login.finish()
    assert_failed(done, "302", "redirect", "127.0.0.2:9", "auth_url",
                  env_file=workdir / ".env")
    assert emulator.backend.options.client_secret not in done.stderr


def test_server_text_is_redacted(start_login, config_file, workdir, emulator):
    """A token endpoint that echoes the request's Authorization header (Basic: the
    client secret, base64-encoded) in its error gets it printed as ***."""
    emulator.backend.set_hostile(status_for=("/api/token",), status_code=400,
                                 status_message="you sent {authorization}")
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file))
    page, _ = play_browser(login.url())
    done = login.finish()
    assert_failed(done, "you sent Basic ***", "HTTP 400", env_file=workdir / ".env")
    assert "you sent Basic ***" in page.text


def test_a_trickling_token_endpoint_meets_the_deadline(start_login, workdir, emulator):
    """request_timeout bounds the whole exchange, however slowly the bytes come."""
    (workdir / "config.json").write_text(json.dumps(config_for(emulator, request_timeout=1)))
    login = start_login("--no-browser", "--port", "0", "--config", "config.json")
    consent = requests.get(login.url(), allow_redirects=False, timeout=30)
    emulator.backend.set_hostile(trickle_ms=100, trickle_headers=True)
    started = time.monotonic()
    page = requests.get(consent.headers["Location"], timeout=60)
    assert_failed(login.finish(), "could not reach the token endpoint", "longer than 1 s",
                  env_file=workdir / ".env")
    assert time.monotonic() - started < 10
    assert "Sign-in failed" in page.text


def test_timeout(start_login, config_file, workdir):
    started = time.monotonic()
    login = start_login("--no-browser", "--port", "0", "--config", str(config_file),
                        "--timeout", "1")
    redirect = login.query()["redirect_uri"]
    done = login.finish()
    assert_failed(done, "no answer from the browser within 1 s", "--timeout", redirect,
                  env_file=workdir / ".env")
    assert time.monotonic() - started < 20
    with pytest.raises(requests.ConnectionError):  # the server stopped with it
        requests.get(redirect, timeout=5)


def test_port_in_use(start_login, config_file, workdir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = start_login("--no-browser", "--port", str(port), "--config",
                           str(config_file)).finish()
    assert_failed(done, f"port {port}", "in use", "--port", env_file=workdir / ".env")
    assert done.stdout == ""


def test_default_port_and_never_localhost(start_login, workdir, emulator):
    """Default settings: Spotify's own URLs, port 8888, a 127.0.0.1 redirect URI."""
    login = start_login("--no-browser", "--timeout", "0.5", env={
        "TAP_SPOTIFY_CLIENT_ID": "abc", "TAP_SPOTIFY_CLIENT_SECRET": "shh"})
    url = login.url()
    done = login.finish()
    if "in use" in done.stderr:
        pytest.skip("port 8888 is taken on this machine")
    assert url.startswith("https://accounts.spotify.com/authorize?")
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8888%2Fcallback" in url
    assert "localhost" not in url + done.stdout + done.stderr
    assert "http://127.0.0.1:8888/callback" in done.stderr
    assert "shh" not in url + done.stdout + done.stderr


# -------------------------------------------------------------------- settings

def test_settings_precedence(start_login, workdir, emulator):
    """--config beats the shell's variables, which beat --env-file, which beats ./.env."""
    (workdir / ".env").write_text("TAP_SPOTIFY_CLIENT_ID=dotenv-id\n"
                                  "TAP_SPOTIFY_CLIENT_SECRET=dotenv-secret\n"
                                  "TAP_SPOTIFY_AUTHORIZE_URL=https://dotenv.example/authorize\n")
    shell = {"TAP_SPOTIFY_CLIENT_ID": "shell-id",
             "TAP_SPOTIFY_AUTHORIZE_URL": "https://shell.example/authorize"}
    url = start_login("--no-browser", "--port", "0", "--timeout", "0.5", env=shell).url()
    assert url.startswith("https://shell.example/authorize?") and "client_id=shell-id" in url

    (workdir / "config.json").write_text(json.dumps({"client_id": "config-id"}))
    url = start_login("--no-browser", "--port", "0", "--timeout", "0.5", "--config",
                      "config.json", env=shell).url()
    assert url.startswith("https://shell.example/authorize?") and "client_id=config-id" in url

    url = start_login("--no-browser", "--port", "0", "--timeout", "0.5").url()
    assert url.startswith("https://dotenv.example/authorize?") and "client_id=dotenv-id" in url

    (workdir / "other.env").write_text("TAP_SPOTIFY_CLIENT_ID=envfile-id\n")
    url = start_login("--no-browser", "--port", "0", "--timeout", "0.5", "--env-file",
                      "other.env").url()
    assert url.startswith("https://dotenv.example/authorize?") and "client_id=envfile-id" in url
    url = start_login("--no-browser", "--port", "0", "--timeout", "0.5", "--env-file",
                      "other.env", env=shell).url()
    assert "client_id=shell-id" in url


@pytest.mark.parametrize(("args", "env", "words"), [
    ([], {}, ["client_id is missing", "TAP_SPOTIFY_CLIENT_ID"]),
    ([], {"TAP_SPOTIFY_CLIENT_ID": "abc"}, ["client_secret is missing"]),
    ([], {"TAP_SPOTIFY_CLIENT_ID": "abc", "TAP_SPOTIFY_CLIENT_SECRET": "shh",
          "TAP_SPOTIFY_AUTH_URL": "http://accounts.example.com/api/token"},
     ["TAP_SPOTIFY_AUTH_URL is 'http://accounts.example.com/api/token'", "https://"]),
    ([], {"TAP_SPOTIFY_CLIENT_ID": "abc", "TAP_SPOTIFY_CLIENT_SECRET": "shh",
          "TAP_SPOTIFY_AUTHORIZE_URL": "ftp://127.0.0.1/authorize"},
     ["TAP_SPOTIFY_AUTHORIZE_URL", "https://"]),
    (["--config", "bad-url.json"], {}, ["auth_url is 'http://accounts.example.com/x'",
                                        "https://"]),
    (["--scopes", "user-top-read,user-read-everything"], {}, ["user-read-everything",
                                                             "choose from"]),
    (["--scopes", " , "], {}, ["--scopes"]),
    (["--port", "70000"], {}, ["--port", "70000"]),
    (["--timeout", "-3"], {}, ["--timeout"]),
    (["--config", "missing.json"], {}, ["missing.json", "does not exist"]),
    (["--config", "list.json"], {}, ["list.json", "JSON object"]),
    (["--env-file", "nowhere/.env"], {"TAP_SPOTIFY_CLIENT_ID": "abc",
                                      "TAP_SPOTIFY_CLIENT_SECRET": "shh"},
     ["nowhere", "does not exist"]),
    (["--what"], {}, ["--what"]),
])
def test_bad_input_is_one_line_before_anything_starts(start_login, workdir, args, env, words):
    (workdir / "list.json").write_text("[1, 2]")
    (workdir / "bad-url.json").write_text(json.dumps({
        "client_id": "abc", "client_secret": "shh", "auth_url": "http://accounts.example.com/x"}))
    done = start_login("--no-browser", "--port", "0", *args, env=env).finish()
    assert_failed(done, *words, env_file=workdir / ".env")
    assert done.stdout == ""  # no URL: the flow never started
    assert "shh" not in done.stderr


def test_help(start_login):
    done = start_login("--help").finish()
    assert done.returncode == 0
    for option in ("--config", "--port", "--scopes", "--env-file", "--timeout",
                   "--no-browser", "127.0.0.1:PORT/callback"):
        assert option in done.stdout
