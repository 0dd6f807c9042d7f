"""How login writes the env file: only its two keys change, the file is private, and
under Meltano the names and the file are the plugin's."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tap_spotify.envfile import TokenFile

DAY = dt.date(2026, 7, 20)


def test_created_private_even_with_an_open_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        was = TokenFile(tmp_path / ".env").store("AQD-token_1", DAY)
    finally:
        os.umask(old)
    assert was is None
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    assert (tmp_path / ".env").read_text() == ("TAP_SPOTIFY_REFRESH_TOKEN=AQD-token_1\n"
                                               "TAP_SPOTIFY_REFRESH_TOKEN_DATE=2026-07-20\n")
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_crlf_export_and_duplicates(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes(b"A=1\r\nexport TAP_SPOTIFY_REFRESH_TOKEN=old\r\n"
                    b"TAP_SPOTIFY_REFRESH_TOKEN = older\r\n#c\r\n")
    env.chmod(0o640)
    assert TokenFile(env).store("new", DAY) == "0640"
    assert env.read_bytes() == (b"A=1\r\nTAP_SPOTIFY_REFRESH_TOKEN=new\r\n#c\r\n"
                                b"TAP_SPOTIFY_REFRESH_TOKEN_DATE=2026-07-20\r\n")


def test_through_a_symlink_the_link_stays(tmp_path: Path) -> None:
    real = tmp_path / "real.env"
    real.write_text("KEEP=yes\n")
    link = tmp_path / ".env"
    link.symlink_to(real)
    TokenFile(link).store("tok", DAY)
    assert link.is_symlink()
    assert dotenv_values(real) == {"KEEP": "yes", "TAP_SPOTIFY_REFRESH_TOKEN": "tok",
                                   "TAP_SPOTIFY_REFRESH_TOKEN_DATE": "2026-07-20"}
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_a_token_with_odd_characters_reads_back(tmp_path: Path) -> None:
    odd = 'a b"c\\d#e'
    TokenFile(tmp_path / ".env").store(odd, DAY)
    assert dotenv_values(tmp_path / ".env")["TAP_SPOTIFY_REFRESH_TOKEN"] == odd


@pytest.mark.parametrize(("environ", "path", "names"), [
    ({}, ".env", ("TAP_SPOTIFY_REFRESH_TOKEN", "TAP_SPOTIFY_REFRESH_TOKEN_DATE", None)),
    ({"MELTANO_EXTRACTOR_NAME": "tap-spotify", "MELTANO_PROJECT_ROOT": "/p"}, "/p/.env",
     ("TAP_SPOTIFY_REFRESH_TOKEN", "TAP_SPOTIFY_REFRESH_TOKEN_DATE", "tap-spotify")),
    ({"MELTANO_EXTRACTOR_NAME": "tap-spotify--alice", "MELTANO_PROJECT_ROOT": "/p"},
     "/p/.env", ("TAP_SPOTIFY__ALICE_REFRESH_TOKEN", "TAP_SPOTIFY__ALICE_REFRESH_TOKEN_DATE",
                 "tap-spotify--alice")),
    ({"MELTANO_EXTRACTOR_NAME": "spotify.bob"}, ".env",  # Meltano's rule: not [A-Za-z0-9]
     ("SPOTIFY_BOB_REFRESH_TOKEN", "SPOTIFY_BOB_REFRESH_TOKEN_DATE", "spotify.bob")),
])
def test_names_and_file_follow_the_plugin_meltano_runs(environ, path, names) -> None:
    found = TokenFile.for_environment(environ, None)
    assert (found.path, (found.token_key, found.date_key, found.plugin)) == (Path(path), names)
    assert TokenFile.for_environment(environ, Path("x.env")).path == Path("x.env")
