"""The pieces under the streams: file names, the setting, `ts`, and the dedupe."""

from __future__ import annotations

import heapq

import pytest

from tap_spotify.streams.history import (
    ACCOUNT,
    EXTENDED,
    canonical_ts,
    history_paths,
    kind_of,
    unique_plays,
)


@pytest.mark.parametrize(("name", "kind"), [
    ("Streaming_History_Audio_2014-2016_0.json", EXTENDED),
    ("Streaming_History_Audio_2024_7.json", EXTENDED),
    ("Streaming_History_Video_2019-2024.json", EXTENDED),
    ("endsong_0.json", EXTENDED),
    ("endsong_12.json", EXTENDED),
    ("StreamingHistory_music_0.json", ACCOUNT),
    ("StreamingHistory_podcast_1.json", ACCOUNT),
    ("StreamingHistory0.json", ACCOUNT),
    ("StreamingHistory12.json", ACCOUNT),
    ("ReadMeFirst_ExtendedStreamingHistory.pdf", None),
    ("Userdata.json", None),
    ("Playlist1.json", None),
    ("._Streaming_History_Audio_2024_7.json", None),
    ("Streaming_History_Audio_2024_7.json.bak", None),
])
def test_file_names(name, kind):
    assert kind_of(name) == kind


def test_the_setting_takes_one_path_a_list_or_a_json_list():
    assert history_paths("export.zip") == ["export.zip"]
    assert history_paths(["a.zip", "b", " "]) == ["a.zip", "b"]
    assert history_paths('["a.zip", "b"]') == ["a.zip", "b"]
    assert history_paths("[weird name].zip") == ["[weird name].zip"]
    assert history_paths(None) == []


def test_ts_in_spotify_spelling():
    assert canonical_ts("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00Z"
    assert canonical_ts("2024-05-01T12:00:00.250+02:00") == "2024-05-01T10:00:00Z"
    assert canonical_ts("2024-05-01 10:00:00") == "2024-05-01T10:00:00Z"
    with pytest.raises(ValueError, match="not a date-time"):
        canonical_ts("2024-05-01 at ten")


def merged(*files: list[tuple[str, str]]):
    """Runs as the spill gives them back: (ts, identity, file, index, JSON), sorted."""
    runs = [sorted((ts, identity, number, index, f"{number}:{index}".encode())
                   for index, (ts, identity) in enumerate(plays))
            for number, plays in enumerate(files)]
    return heapq.merge(*runs)


T1, T2 = "2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z"


def test_overlapping_files_give_each_play_once_and_twins_twice():
    old = [(T1, "a"), (T1, "b"), (T2, "c")]
    new = [(T2, "c"), (T1, "b"), (T1, "a"), (T2, "c"), (T2, "d")]  # c twice: twins

    out = list(unique_plays(merged(old, new), None, set()))

    assert [(ts, raw) for ts, _, raw in out] == [
        (T1, b"0:0"), (T1, b"0:1"), (T2, b"0:2"), (T2, b"1:3"), (T2, b"1:4")]
    assert len({play_id for _, play_id, _ in out}) == 5


def test_the_bookmark_edge_skips_only_the_plays_already_sent():
    first = list(unique_plays(merged([(T1, "a"), (T2, "b")]), None, set()))
    done = {play_id for ts, play_id, _ in first if ts == T2}

    again = unique_plays(merged([(T2, "b"), (T2, "b"), (T2, "c")]), T2, done)

    assert [raw for _, _, raw in again] == [b"0:1", b"0:2"]  # b's twin, and c
