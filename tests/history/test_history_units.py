"""The pieces under the streams: file names, the setting, `ts`, a JSON list's entries,
a play's identity, and the dedupe."""

from __future__ import annotations

import heapq
from types import SimpleNamespace

import pytest

from tap_spotify.streams.history import history_paths
from tap_spotify.streams.history.entries import entry_spans, without_bad_entries
from tap_spotify.streams.history.export import ACCOUNT, EXTENDED, Known, classify
from tap_spotify.streams.history.formats import canonical_ts, uris_of
from tap_spotify.streams.history.merge import unique_plays


@pytest.mark.parametrize(("name", "format_", "legacy"), [
    ("Streaming_History_Audio_2014-2016_0.json", EXTENDED, False),
    ("Streaming_History_Audio_2024_7.json", EXTENDED, False),
    ("Streaming_History_Video_2019-2024.json", EXTENDED, False),
    ("endsong_0.json", EXTENDED, True),
    ("endsong_12.json", EXTENDED, True),
    ("endsong.json", EXTENDED, True),
    ("endvideo.json", EXTENDED, True),
    ("StreamingHistory_music_0.json", ACCOUNT, False),
    ("StreamingHistory_podcast_1.json", ACCOUNT, False),
    ("StreamingHistory_audiobook_0.json", ACCOUNT, False),
    ("StreamingHistory0.json", ACCOUNT, True),
    ("StreamingHistory12.json", ACCOUNT, True),
    ("MyData/endsong_3.json", EXTENDED, True),
])
def test_history_file_names(name, format_, legacy):
    kind = classify(name)
    assert not isinstance(kind, str) and kind is not None, kind
    assert (kind.format, kind.legacy) == (format_, legacy)


@pytest.mark.parametrize(("name", "known"), [
    ("ReadMeFirst_ExtendedStreamingHistory.pdf", Known.OTHER),
    ("Spotify Account Data/Read_Me_First.pdf", Known.OTHER),
    ("Userdata.json", Known.USERDATA),
    ("Playlist1.json", Known.OTHER),
    ("Wrapped2024.json", Known.OTHER),
    ("YourLibrary.json", Known.OTHER),
    ("Spotify Technical Log Information/CarDetectionEvent.json", Known.OTHER),
    ("__MACOSX/MyData/._endsong_0.json", Known.OTHER),
    ("._Streaming_History_Audio_2024_7.json", Known.OTHER),
    ("Streaming_History_Audio_2024_7.json.bak", None),
    ("notes.txt", None),
    ("StreamingHistory_video_0.json", None),
])
def test_other_file_names(name, known):
    assert classify(name) == known


def test_the_setting_takes_one_path_a_list_or_a_json_list():
    assert history_paths("export.zip") == ["export.zip"]
    assert history_paths(["a.zip", "b", " "]) == ["a.zip", "b"]
    assert history_paths(("a.zip",)) == ["a.zip"]
    assert history_paths('["a.zip", "b"]') == ["a.zip", "b"]
    assert history_paths("[weird name].zip") == ["[weird name].zip"]
    assert history_paths(None) == []


def test_ts_in_spotify_spelling():
    assert canonical_ts("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00Z"
    assert canonical_ts("2024-05-01T12:00:00.250+02:00") == "2024-05-01T10:00:00Z"
    assert canonical_ts("2024-05-01 10:00:00") == "2024-05-01T10:00:00Z"
    with pytest.raises(ValueError, match="not a date-time"):
        canonical_ts("2024-05-01 at ten")


def entry(track=None, episode=None, chapter=None):
    return SimpleNamespace(spotify_track_uri=track, spotify_episode_uri=episode,
                           audiobook_chapter_uri=chapter)


def test_a_play_is_what_it_played_however_the_era_spells_it():
    assert uris_of(entry("spotify:track:a")) == "spotify:track:a"
    assert uris_of(entry()) == ""
    # endsong spells a chapter as an episode, today's files as a chapter: one identity
    assert uris_of(entry(episode="spotify:episode:c")) == \
        uris_of(entry(chapter="spotify:episode:c")) == \
        uris_of(entry(episode="spotify:episode:c", chapter="spotify:episode:c"))
    # plays that differ only in their audiobook or episode fields are told apart
    assert uris_of(entry(episode="e1", chapter="c1")) == "e1 c1"
    assert uris_of(entry(episode="e1", chapter="c2")) != uris_of(entry(episode="e1",
                                                                        chapter="c1"))
    assert uris_of(entry("t", chapter="c")) == "t c"


def test_a_list_is_split_by_its_structure_whatever_its_strings_hold():
    data = b'[ {"a": "x,]}{\\"", "b": [1, 2]} ,\n{"c": {"d": 1}}]'
    assert [data[s:e].strip() for s, e in entry_spans(data)] == \
        [b'{"a": "x,]}{\\"", "b": [1, 2]}', b'{"c": {"d": 1}}']
    assert entry_spans(b" [ ] ") == []
    for not_a_list in (b"\x89PNG", b'{"a": 1}', b"[1, 2", b"[1] [2]"):
        assert entry_spans(not_a_list) is None


def test_only_the_entries_holding_bad_bytes_are_set_aside():
    data = b'[{"a": "ok"}, {"a": "caf\xe9 \\" ,"}, {"a": "\xc3\xa9"}, {"a": "\xff"}]'

    kept, bad = without_bad_entries(data)

    first, second = data.index(b"\xe9"), data.index(b"\xff")
    assert kept == b'[{"a": "ok"}, {"a": "\xc3\xa9"}]'
    assert [(b.index, b.offset) for b in bad] == [(1, first), (3, second)]
    assert str(bad[0]) == f"entry 2 (byte {first})"


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
