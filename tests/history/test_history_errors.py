"""Bad input: one line that names the file, a non-zero exit, no traceback, nothing
from the bad file; what was emitted before stays valid."""

from __future__ import annotations

import zipfile

import pytest

from tests.history.conftest import (
    ACCOUNT,
    HISTORY,
    assert_fails_naming,
    extended_identity,
    multiset,
    play_identity,
)
from tests.history.synthetic import make_plays, write_account, write_extended


def test_a_path_that_does_not_exist(sync, tmp_path):
    run = sync([tmp_path / "missing.zip"])

    assert_fails_naming(run, str(tmp_path / "missing.zip"), "does not exist")
    assert run.records(HISTORY) == [] and run.records(ACCOUNT) == []


def test_a_zip_that_is_not_a_zip(sync, tmp_path):
    fake = tmp_path / "my_spotify_data.zip"
    fake.write_text("<html>Your download has expired</html>")

    assert_fails_naming(sync(fake), str(fake), "zip")


def test_a_folder_with_no_history_file(sync, tmp_path):
    (tmp_path / "Userdata.json").write_text("{}")

    assert_fails_naming(sync(tmp_path), str(tmp_path), "no Spotify history file")


def test_a_single_file_with_another_name(sync, tmp_path):
    other = tmp_path / "Playlist1.json"
    other.write_text('{"playlists": []}')

    assert_fails_naming(sync(other), str(other), "not a Spotify history file")


@pytest.mark.parametrize(("content", "words"), [
    (b"\x89PNG not json at all", ["not JSON"]),
    (b'[{"ts": "2020-01-01T00:00:00Z", "ms_played": 1}', ["not JSON"]),
    (b'{"ts": "2020-01-01T00:00:00Z"}', ["not a list of plays", "array"]),
    (b"[1, 2, 3]", ["not a list of plays"]),
    (b'[{"ms_played": 1000}]', ["not a list of plays", "ts"]),
    (b'[{"ts": "yesterday", "ms_played": 1000}]', ["not a list of plays", "yesterday"]),
    (b'[{"ts": "2020-01-01T00:00:00Z", "ms_played": "long"}]', ["ms_played"]),
])
def test_a_bad_extended_file_stops_its_stream_before_any_record(sync, tmp_path, content,
                                                                words):
    plays = make_plays(200, seed=21)
    write_extended(tmp_path / "export", plays, per_file=50)
    bad = tmp_path / "export" / "Streaming_History_Audio_2016_9.json"
    bad.write_bytes(content)

    run = sync(tmp_path / "export")

    assert_fails_naming(run, str(bad), *words)
    assert run.records(HISTORY) == []


def test_a_bad_member_of_a_zip_is_named(sync, tmp_path):
    plays = make_plays(100, seed=22)
    files = write_extended(tmp_path / "export", plays, per_file=50, old=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in files:
            out.write(path, f"MyData/{path.name}")
        out.writestr("MyData/endsong_2.json", "[{]")

    run = sync(archive)

    assert_fails_naming(run, str(archive), "MyData/endsong_2.json", "not JSON")
    assert run.records(HISTORY) == []


def test_a_bad_account_file_leaves_the_history_already_sent_valid(sync, tmp_path):
    plays = make_plays(400, seed=23)
    write_extended(tmp_path / "extended", plays)
    write_account(tmp_path / "account", plays[200:])
    bad = tmp_path / "account" / "StreamingHistory_music_0.json"
    bad.write_text('[{"endTime": "2023-01-05T14:32:00Z", "msPlayed": 1}]')

    run = sync([tmp_path / "extended", tmp_path / "account"])

    assert_fails_naming(run, str(bad), "endTime")
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(map(play_identity, plays))
    assert run.records(ACCOUNT) == []
    assert run.state["bookmarks"][HISTORY]["replication_key_value"] == plays[-1].ts_text
    assert ACCOUNT not in run.state["bookmarks"]


def test_a_state_that_is_not_a_bookmark(sync, tmp_path):
    write_extended(tmp_path / "x", make_plays(10, seed=24))
    state = {"bookmarks": {HISTORY: {"replication_key": "ts",
                                     "replication_key_value": "last tuesday"}}}

    assert_fails_naming(sync(tmp_path / "x", state=state), HISTORY, "last tuesday")


def test_a_damaged_zip_member_is_named(sync, tmp_path):
    files = write_extended(tmp_path / "export", make_plays(300, seed=25), old=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in files:
            out.write(path, f"MyData/{path.name}")
    with zipfile.ZipFile(archive) as check:
        member = check.getinfo("MyData/endsong_0.json")
    data = bytearray(archive.read_bytes())
    start = member.header_offset + 30 + len(member.filename)  # the deflated data
    data[start + 5:start + 13] = b"\xff" * 8
    archive.write_bytes(bytes(data))

    run = sync(archive)

    assert_fails_naming(run, str(archive), "MyData/endsong_0.json", "cannot be read")
    assert run.records(HISTORY) == []
