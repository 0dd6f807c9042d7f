"""Damaged downloads: a byte that is not UTF-8 costs its entry, not the run; a zip
member that inflates past a cap stops the run with one line, in little memory."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from devkit.tap import run_with_peak_memory, tap_command
from tests.history.conftest import (
    ACCOUNT,
    HISTORY,
    account_identity,
    account_play_identity,
    assert_fails_naming,
    extended_identity,
    history_state,
    multiset,
    play_identity,
    warnings,
)
from tests.history.synthetic import make_plays, write_account, write_extended, zip_folder

PLATFORM = b'"platform": "'  # a string in every entry of an extended file


def spoil(path: Path, entry: int, field: bytes = PLATFORM, bad: bytes = b"\xff") -> int:
    """Put `bad` into a string field of the `entry`-th play (from 0) of a pretty-printed
    file; the byte offset where it went."""
    data = path.read_bytes()
    at = -1
    for _ in range(entry + 1):
        at = data.index(field, at + 1)
    at += len(field)
    path.write_bytes(data[:at] + bad + data[at:])
    return at


def test_a_byte_that_is_not_utf8_costs_its_entry_only(sync, tmp_path):
    plays = make_plays(200, seed=31, video_every=0)
    files = write_extended(tmp_path / "x", plays, per_file=50)
    offset = spoil(files[1], 7)  # the 8th entry of the second file: plays[57]

    run = sync(tmp_path / "x")

    assert run.returncode == 0, run.stderr
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(map(play_identity, plays[:57] + plays[58:]))
    said = warnings(run, str(files[1]))
    assert len(said) == 1, run.stderr
    assert "1 entry set aside" in said[0] and f"entry 8 (byte {offset:,})" in said[0]
    assert history_state(run)["replication_key_value"] == plays[-1].ts_text


def test_a_spoilt_entry_another_file_also_holds_still_comes_out(sync, tmp_path):
    plays = make_plays(120, seed=32, video_every=0)
    files = write_extended(tmp_path / "new", plays, per_file=60)
    write_extended(tmp_path / "old", plays[:60], old=True, per_file=60)
    spoil(files[0], 3, bad=b"\xc3\x28")  # an invalid two-byte sequence
    spoil(files[0], 40, bad=b"\x80")

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(map(play_identity, plays))
    said = warnings(run, str(files[0]))
    assert len(said) == 1 and "2 entries set aside" in said[0], run.stderr
    assert "entry 4 (byte" in said[0] and "entry 41 (byte" in said[0]


def test_a_bad_byte_in_a_zip_member_and_in_account_data(sync, tmp_path):
    plays = make_plays(300, seed=33, video_every=0)
    files = write_extended(tmp_path / "export" / "MyData", plays, per_file=100)
    spoil(files[2], 0)
    archive = zip_folder(files[0].parent, tmp_path / "my_spotify_data.zip")
    account = write_account(tmp_path / "account", plays[200:], per_file=50)
    spoil(account[0], 2, field=b'"endTime": "')

    run = sync([archive, tmp_path / "account"])

    assert run.returncode == 0, run.stderr
    lost = plays[200]  # the first entry of the third file
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(play_identity(p) for p in plays if p is not lost)
    assert len(warnings(run, f"{archive} (MyData/{files[2].name})", "entry 1 (")) == 1
    music = [p for p in plays[200:] if p.kind in ("track", "local")]
    assert multiset(map(account_identity, run.records(ACCOUNT))) == \
        multiset(account_play_identity(p) for p in plays[200:] if p is not music[2])
    assert len(warnings(run, str(account[0]), "entry 3 (")) == 1


@pytest.mark.parametrize(("content", "words"), [
    (b"\x89PNG\r\n\x1a\n not a list", ["not JSON"]),
    (b'[{"ts": "2020-01-01T00:00:00Z", "ms_played": 1, "platform": "\xff"}', ["not JSON"]),
    (b'{"ts": "2020-01-01T00:00:00Z", "platform": "\xff"}', ["not a list of plays"]),
    (b'[{"ts": "2020-01-01T00:00:00Z", "ms_played": "\xff"}]', ["not a list of plays"]),
    (b'[{"ts": "2020-01-01T00:00:00Z"}, {"ts": "\xff"}, {"ts": "2020"]',
     ["not JSON"]),
])
def test_a_file_that_is_no_list_of_entries_still_stops(sync, tmp_path, content, words):
    write_extended(tmp_path / "x", make_plays(100, seed=34), per_file=50)
    bad = tmp_path / "x" / "Streaming_History_Audio_2016_9.json"
    bad.write_bytes(content)

    run = sync(tmp_path / "x")

    assert_fails_naming(run, str(bad), *words)
    assert run.records(HISTORY) == []


def run_measured(work: Path, config: dict, catalog: dict) -> tuple[int, str, bytes, int]:
    """Run the tap; (exit code, stderr, stdout, its peak resident memory in bytes)."""
    code, stdout, stderr, peak = run_with_peak_memory(
        tap_command(work, config, catalog=catalog), work)
    return code, stderr, stdout, peak


def write_member(archive: Path, name: str, size: int) -> zipfile.ZipInfo:
    """A member of `size` bytes of JSON that deflates about 1,000 times, written a block
    at a time (the test never holds it)."""
    block = b" " * 2**20
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=9) as out, \
            out.open(name, "w", force_zip64=True) as member:
        member.write(b"[")
        for _ in range(size // len(block)):
            member.write(block)
        member.write(b"]")
    with zipfile.ZipFile(archive) as check:
        return check.getinfo(name)


def test_a_zip_bomb_stops_at_the_size_cap_in_little_memory(tmp_path, history_catalog):
    plays = make_plays(500, seed=35)
    files = write_extended(tmp_path / "export", plays, per_file=100)
    archive = zip_folder(files[0].parent, tmp_path / "my_spotify_data.zip", inside="MyData")
    bomb = write_member(archive, "MyData/Streaming_History_Audio_2024_9.json", 2 * 2**30)
    assert bomb.compress_size < 3 * 2**20 and bomb.file_size > 2 * 2**30  # 2 MB -> 2 GB

    code, stderr, stdout, peak = run_measured(
        tmp_path / "run", {"streaming_history_path": str(archive)}, history_catalog)

    assert code == 1, stderr
    line = [text for text in stderr.splitlines() if text.strip()][-1]
    assert line.startswith(f"tap-spotify: error: {archive} "
                           "(MyData/Streaming_History_Audio_2024_9.json): inflates to more "
                           "than 128 MiB"), stderr
    assert "take the zip out of streaming_history_path" in line
    assert b'"type":"RECORD"' not in stdout
    assert all(line.startswith(b'{"type":') for line in stdout.splitlines())
    assert peak < 300 * 2**20, f"peak memory {peak / 2**20:.0f} MiB"


def test_a_member_that_inflates_far_more_than_json_does_stops(sync, tmp_path):
    files = write_extended(tmp_path / "export", make_plays(200, seed=36), per_file=100)
    archive = zip_folder(files[0].parent, tmp_path / "export.zip", inside="MyData")
    write_member(archive, "MyData/Streaming_History_Video_2020-2024.json", 32 * 2**20)
    with zipfile.ZipFile(archive) as check:  # Spotify's own files deflate about 10 times
        ratios = [m.file_size / m.compress_size for m in check.infolist()
                  if m.filename.endswith(".json") and "Audio" in m.filename]
    assert max(ratios) < 20

    run = sync(archive)

    assert_fails_naming(run, f"{archive} (MyData/Streaming_History_Video_2020-2024.json)",
                        "more than 100 times its compressed size")
    assert run.records(HISTORY) == []
