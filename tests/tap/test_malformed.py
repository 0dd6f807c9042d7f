"""Every malformed or hostile answer: one line that names the endpoint and what was
wrong, a non-zero exit, every line on stdout whole, and no secret anywhere.

Each case is its own run against the emulator's hostile switches
(spotify_emulator/http/hostile.py), over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from devkit.emulator import refresh_token_for as devkit_refresh_token
from devkit.tap import run_with_peak_memory
from spotify_emulator.http.hostile import FORGED_MESSAGE
from tests.tap.conftest import refresh_token_for, tap_config


def assert_one_line(run, *words: str) -> str:
    """The run failed with one line naming what is wrong; stdout holds whole lines."""
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("tap-spotify: error")]
    assert errors == [run.last_stderr_line], run.stderr
    for word in words:
        assert word in run.last_stderr_line, run.last_stderr_line
    assert run.stdout == b"" or run.stdout.endswith(b"\n")
    return run.last_stderr_line


MALFORMED = [
    # (case, hostile switches, words of the one line)
    ("a 200 carrying an error object", {"shape": "error_object", "shape_for": "/v1/browse"},
     ("GET /v1/browse/new-releases answered 500",)),
    ("a list where the answer belongs", {"shape": "list", "shape_for": "/v1/browse"},
     ("GET /v1/browse/new-releases", "a list where an object belongs")),
    ("text where the paging object belongs",
     {"shape": "paging_string", "shape_for": "/v1/browse"},
     ("GET /v1/browse/new-releases", "text where the albums object belongs")),
    ("listing items that are not objects", {"shape": "junk_items", "shape_for": "/v1/browse"},
     ("GET /v1/browse/new-releases", "in the list of items, where objects belong")),
    ("a listed album without id", {"shape": "album_without_id", "shape_for": "/v1/browse"},
     ("GET /browse/new-releases", "a listed album without an id")),
    ("a full album without id", {"shape": "album_without_id", "shape_for": "/v1/albums"},
     ("albums", "an album without an id")),
    ("a track without id", {"shape": "track_without_id", "shape_for": "/v1/albums"},
     ("album_tracks", "without its id")),
    ("a next link that is not a string", {"shape": "next_number", "shape_for": "/v1/browse"},
     ("GET /v1/browse/new-releases", "a next-page link that is a number")),
    ("a numeric release date", {"shape": "numeric_release_date", "shape_for": "/v1/browse"},
     ("new_releases", "release_date is int")),
    ("expires_in that is not a number", {"shape": "expires_in_string",
                                         "shape_for": "/api/token"},
     ("token endpoint", "expires_in 'soon'")),
]


@pytest.mark.parametrize(("switches", "words"), [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_a_malformed_catalog_answer_is_one_line(make_emulator, tap_run, switches, words):
    emu = make_emulator(new_releases=120, seed=3, track_counts=[60, 12])
    emu.backend.set_hostile(**switches)

    run = tap_run(tap_config(emu, max_concurrency=2), timeout=120)

    assert_one_line(run, *words)
    for message in run.messages:  # every RECORD sent before the stop is a whole record
        if message["type"] == "RECORD" and message["stream"] == "album_tracks":
            assert message["record"]["id"]


def test_malformed_user_objects_are_one_line(make_emulator, tap_run):
    emu = make_emulator(new_releases=0, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    emu.backend.set_hostile(shape="malformed_user", shape_for="/v1/me")

    run = tap_run(config)

    line = assert_one_line(run, "me:")
    assert "display_name is dict" in line or "id is int" in line


def test_a_cursor_that_changes_over_the_same_artists_ends_with_a_warning(make_emulator,
                                                                        tap_run):
    emu = make_emulator(new_releases=0, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    emu.backend.set_hostile(cursor_loop=True)

    run = tap_run(config, timeout=60)

    assert run.returncode == 0, run.stderr
    followed = [r["id"] for r in run.records("followed_artists")]
    assert len(followed) == len(set(followed)) == 50  # one page, no duplicate
    assert "holds only items already read" in run.stderr
    assert emu.backend.stats()["counts"]["followed_artists"] == 2


def test_a_redirect_to_another_host_is_not_followed(make_emulator, tap_run):
    emu = make_emulator(new_releases=30, seed=3)
    elsewhere = make_emulator(new_releases=30, seed=3)
    emu.backend.set_hostile(redirect_for="/v1/browse", redirect_to=elsewhere.api_url[:-3])

    run = tap_run(tap_config(emu))

    assert_one_line(run, "GET /v1/browse/new-releases answered 302", "does not follow")
    assert elsewhere.backend.stats()["requests"] == []


def test_a_token_endpoint_redirect_gets_no_credentials(make_emulator, tap_run):
    """A 307 keeps a POST's body: following it would hand the refresh token over."""
    emu = make_emulator(new_releases=3, seed=3)
    elsewhere = make_emulator(new_releases=3, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    emu.backend.set_hostile(redirect_for="/api/token", redirect_code=307,
                            redirect_to=elsewhere.api_url[:-3])

    run = tap_run(config)

    assert_one_line(run, "answered 307", "does not follow redirects")
    assert elsewhere.backend.stats()["requests"] == []
    assert config["refresh_token"] not in run.stderr


def test_headers_trickled_byte_by_byte_meet_the_deadline(make_emulator, tap_run):
    emu = make_emulator(new_releases=3, seed=3)
    emu.backend.set_hostile(trickle_ms=400, trickle_headers=True)

    started = time.monotonic()
    run = tap_run(tap_config(emu, request_timeout=1), timeout=120)

    assert_one_line(run, "took longer than 1 s")
    assert time.monotonic() - started < 60


def test_a_server_echoing_the_token_with_escapes_is_one_clean_line(make_emulator, tap_run):
    emu = make_emulator(new_releases=3, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    emu.backend.set_hostile(status_for="/v1/browse", status_code=400,
                            status_message=FORGED_MESSAGE)

    run = tap_run(config)

    line = assert_one_line(run, "GET /v1/browse/new-releases answered 400", "***")
    assert "\x1b" not in run.stderr
    assert "tap-spotify: error: forged" not in run.stderr.splitlines()
    for token in emu.backend.tokens.issued():
        assert token not in run.stderr
    assert config["refresh_token"] not in run.stderr and config["client_secret"] not in line


def test_recently_played_ignoring_after_sends_nothing_old(make_emulator, tap_run):
    emu = make_emulator(new_releases=0, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    first = tap_run(config)
    assert first.returncode == 0, first.stderr
    emu.backend.set_hostile(ignore_after=True)
    emu.backend.users.play(2)

    second = tap_run(config, state=first.state)

    assert second.returncode == 0, second.stderr
    assert len(second.records("recently_played")) == 2  # the server sent 50


def test_a_playlist_whose_items_answer_403_is_read_again_next_run(make_emulator, tap_run):
    emu = make_emulator(new_releases=0, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    playlist = next(p for p in emu.backend.users.summary()["playlists"] if p["items"])
    emu.backend.set_hostile(status_for=f"/v1/playlists/{playlist['id']}/items",
                            status_code=403)

    first = tap_run(config)

    assert first.returncode == 0, first.stderr
    assert "1 playlists not read" in first.stderr
    assert playlist["id"] not in first.state["bookmarks"]["playlists"]["snapshots"]
    emu.backend.set_hostile()  # Spotify lets it be read again
    second = tap_run(config, state=first.state)
    assert {r["playlist_id"] for r in second.records("playlist_items")} == {playlist["id"]}
    assert len(second.records("playlist_items")) == playlist["items"]


def test_null_playlist_entries_keep_spotifys_positions(make_emulator, tap_run):
    emu = make_emulator(new_releases=0, seed=3)
    users = emu.backend.users
    summary = users.summary("alice")
    shared = next(p for p in summary["playlists"] if p["null_entries"] and p["null_items"])
    config = tap_config(emu, refresh_token=devkit_refresh_token(emu, "alice"))

    run = tap_run(config)

    assert run.returncode == 0, run.stderr
    entries = [r for r in run.records("playlist_items") if r["playlist_id"] == shared["id"]]
    assert [r["position"] for r in entries] == list(range(shared["items"]))
    nulls = [r["position"] for r in entries if r["item"] is None]
    assert len(nulls) == shared["null_entries"] + shared["null_items"]
    assert {r["listener_id"] for r in entries} == {summary["account_id"]}


@pytest.mark.parametrize(("bookmarks", "words"), [
    ({"playlists": {"snapshots": ["a", "b"]}}, "bookmarks.playlists: snapshots"),
    ({"top_tracks": {"partitions": "x"}}, "bookmarks.top_tracks: partitions"),
    ({"recently_played": {"replication_key_value": 1234}}, "replication_key_value"),
    ({"saved_tracks": {"head": "abc"}}, "bookmarks.saved_tracks: head"),
    ({"new_releases": {"synced": {"a": 1}}}, "bookmarks.new_releases: synced"),
])
def test_a_state_of_the_wrong_shape_is_one_line(emulator, tap_run, bookmarks, words):
    run = tap_run(tap_config(emulator), state={"bookmarks": bookmarks})
    assert_one_line(run, "state:", words)
    assert run.stdout == b""


def test_a_recently_played_bookmark_in_the_future_is_set_aside(make_emulator, tap_run):
    emu = make_emulator(new_releases=0, seed=3)
    config = tap_config(emu, refresh_token=refresh_token_for(emu))
    state = {"bookmarks": {"recently_played": {"replication_key": "played_at",
                                               "replication_key_value":
                                                   "2999-01-01T00:00:00.000Z"}}}

    run = tap_run(config, state=state)

    assert run.returncode == 0, run.stderr
    assert "bookmark 2999-01-01T00:00:00.000Z is in the future" in run.stderr
    assert run.records("recently_played")
    assert run.state["bookmarks"]["recently_played"]["replication_key_value"] < "2999"


def test_a_gzip_bomb_is_one_line_in_bounded_memory(make_emulator, tmp_path):
    emu = make_emulator(new_releases=3, seed=3)
    emu.backend.set_hostile(gzip_bomb_for="/v1/browse")  # 3 GB of zeros in about 3 MB
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(emu)))

    code, _, stderr, peak = run_with_peak_memory(
        [sys.executable, "-m", "tap_spotify", "--config", str(config)], tmp_path)

    assert code == 1, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("tap-spotify: error:") and "inflates past" in last, stderr
    assert peak < 300 * 2**20, f"peak memory {peak / 2**20:.0f} MiB"


def test_a_full_disk_leaves_only_whole_lines(make_emulator, tmp_path):
    """A file-size limit makes the disk 'full' at 64 KB: the output ends with the last
    whole message, and the run says so in one line."""
    import resource

    emu = make_emulator(new_releases=200, seed=3)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(emu)))
    out = tmp_path / "out.jsonl"
    limit = 64 * 1024

    with out.open("wb") as stdout:
        proc = subprocess.run(
            [sys.executable, "-m", "tap_spotify", "--config", str(config)], stdout=stdout,
            stderr=subprocess.PIPE, cwd=tmp_path, timeout=120, check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))

    stderr = proc.stderr.decode()
    assert proc.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1].startswith("tap-spotify: error: could not write "
                                                     "to stdout")
    data = out.read_bytes()
    assert 0 < len(data) <= limit and data.endswith(b"\n")
    for line in data.splitlines():
        json.loads(line)


def test_a_closed_stdout_is_one_line(emulator, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(emulator)))
    proc = subprocess.run([sys.executable, "-m", "tap_spotify", "--config", str(config)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path,
                          timeout=60, check=False, pass_fds=(),
                          preexec_fn=lambda: __import__("os").close(1))
    stderr = proc.stderr.decode()
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("tap-spotify: error: stdout is closed")


def test_a_search_listing_cut_at_1000_is_named(make_emulator, tap_run):
    emu = make_emulator(new_releases=1015, seed=3, profile="development",
                        release_spread_days=7)

    run = tap_run(tap_config(emu, max_concurrency=16), timeout=600)

    assert run.returncode == 0, run.stderr
    assert len(run.ids("new_releases")) == 1000
    warning = next(line for line in run.stderr.splitlines() if "lists at most" in line)
    reported = int(warning.split("search reported ")[1].split()[0])
    assert reported > 1000 and "1000 were listed" in warning

