"""What today's downloads hold: account data's audiobook files, extended entries with
audiobook fields besides track and episode ones, files the tap knows are something
else, files it does not know, and fields no schema declares yet."""

from __future__ import annotations

import dataclasses
import json
import shutil
import zipfile

from tests.history.conftest import (
    ACCOUNT,
    HISTORY,
    account_identity,
    account_play_identity,
    extended_identity,
    multiset,
    play_identity,
    warnings,
)
from tests.history.synthetic import (
    EXTENDED_FIELDS,
    extended_record,
    make_plays,
    write_account,
    write_extended,
    zip_folder,
)

SDK_WARNING = ("Properties {} were present in the '{}' stream but not found in catalog "
               "schema. Ignoring.")


def audiobook_plays(count: int, seed: int):
    return [p for p in make_plays(count, seed=seed) if p.kind == "audiobook"]


def test_account_audiobook_files_keep_every_field(sync, tmp_path):
    """StreamingHistory_audiobook_N.json: endTime, audiobookName, chapterName,
    authorName, msPlayed (/work/shared/spotify/README.md, "Shapes seen in real data")."""
    plays = make_plays(600, seed=51)
    paths = write_account(tmp_path / "Spotify Account Data", plays, per_file=200)
    assert any(p.name == "StreamingHistory_audiobook_0.json" for p in paths)

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    assert not warnings(run, "not found in catalog schema"), run.stderr
    books = [r for r in run.records(ACCOUNT) if "audiobookName" in r]
    assert books and len(books) == sum(p.kind == "audiobook" for p in plays)
    for record in books:
        assert set(record) == {"endTime", "audiobookName", "chapterName", "authorName",
                               "msPlayed", "ts", "listener_id", "play_id"}
        assert record["authorName"] == f"Author of {record['audiobookName']}"
    assert multiset(map(account_identity, run.records(ACCOUNT))) == \
        multiset(map(account_play_identity, plays))


def test_two_chapters_in_the_same_minute_are_two_plays(sync, tmp_path):
    """Even where a file ends between them: identities only file numbering cannot tell."""
    book = audiobook_plays(400, seed=52)[0]
    one = dataclasses.replace(book, name="Chapter A", ms_played=60_000)
    other = dataclasses.replace(book, name="Chapter B", ms_played=60_000)
    paths = write_account(tmp_path / "x", [one, other], per_file=1)
    assert [p.name for p in paths] == ["StreamingHistory_audiobook_0.json",
                                       "StreamingHistory_audiobook_1.json"]

    run = sync(tmp_path / "x")

    assert run.returncode == 0, run.stderr
    records = run.records(ACCOUNT)
    assert sorted(r["chapterName"] for r in records) == ["Chapter A", "Chapter B"]
    assert len({r["play_id"] for r in records}) == 2


def test_extended_plays_that_differ_only_in_audiobook_or_episode_fields(sync, tmp_path):
    play = audiobook_plays(400, seed=53)[0]
    base = extended_record(play)
    twins = [dict(base, spotify_episode_uri="spotify:episode:E", audiobook_chapter_uri=uri)
             for uri in ("spotify:episode:C1", "spotify:episode:C2")]
    folder = tmp_path / "x"
    folder.mkdir()
    for n, twin in enumerate(twins):  # a file ends between them
        (folder / f"Streaming_History_Audio_2024_{n}.json").write_text(json.dumps([twin]))

    run = sync(folder)

    assert run.returncode == 0, run.stderr
    records = run.records(HISTORY)
    assert sorted(r["audiobook_chapter_uri"] for r in records) == \
        ["spotify:episode:C1", "spotify:episode:C2"]
    assert len({r["play_id"] for r in records}) == 2


def test_an_audiobook_play_is_one_play_whichever_era_spells_it(sync, tmp_path):
    """endsong spelled a chapter as an episode; today's files as a chapter."""
    plays = make_plays(800, seed=54)
    assert any(p.kind == "audiobook" for p in plays)
    write_extended(tmp_path / "old", plays, old=True)
    write_extended(tmp_path / "new", plays)

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(map(play_identity, plays))
    books = [r for r in run.records(HISTORY) if r.get("audiobook_uri")]
    assert books and all(list(r)[:-2] == list(EXTENDED_FIELDS) for r in books)


def test_known_files_pass_quietly_and_unknown_ones_are_named_once(sync, tmp_path):
    plays = make_plays(300, seed=55)
    account = tmp_path / "my_spotify_data" / "Spotify Account Data"
    write_account(account, plays[100:])
    for name in ("Identity.json", "Inferences.json", "Marquee.json", "Follow.json",
                 "Payments.json", "YourLibrary.json", "Wrapped2024.json",
                 "YourSoundCapsule.json", "DuoNewFamily.json", "Identifiers.json"):
        (account / name).write_text("{}")
    (account / "Read_Me_First.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    logs = tmp_path / "my_spotify_data" / "Spotify Technical Log Information"
    logs.mkdir()
    (logs / "CarDetectionEvent.json").write_text("[]")
    (logs / "ReadMeFirst_TechnicalLogInformation.pdf").write_bytes(b"%PDF-1.4\n")
    extended = write_extended(tmp_path / "ext" / "Spotify Extended Streaming History", plays)
    (account / "notes.txt").write_text("mine")
    (account / "StreamingHistory_video_0.json").write_text("[]")
    archive = zip_folder(extended[0].parent, tmp_path / "ext.zip")
    with zipfile.ZipFile(archive, "a") as out:
        out.writestr("Spotify Extended Streaming History/Streaming_History_Audiobook_0.json",
                     "[]")
    shutil.rmtree(tmp_path / "ext")

    run = sync([tmp_path / "my_spotify_data", archive])

    assert run.returncode == 0, run.stderr
    said = warnings(run, "not read, as tap-spotify does not know what they hold")
    assert len(said) == 1, run.stderr
    unknown = [str(account / "notes.txt"), str(account / "StreamingHistory_video_0.json"),
               f"{archive} (Spotify Extended Streaming History/"
               "Streaming_History_Audiobook_0.json)"]
    assert all(said[0].count(name) == 1 for name in unknown), said[0]
    for known in ("Identity.json", "Wrapped2024", "Read_Me_First", "CarDetection",
                  "ReadMeFirst", "Userdata", "__MACOSX"):
        assert known not in said[0]
    assert len(run.records(HISTORY)) == 300 and len(run.records(ACCOUNT)) == 200


def test_a_field_no_schema_declares_is_dropped_with_the_sdk_warning_once(sync, tmp_path):
    plays = make_plays(300, seed=56, video_every=0)
    files = write_extended(tmp_path / "x", plays, per_file=100)
    for path, extra in zip(files, ({"mood": "calm"}, {"mood": "calm"},
                                   {"mood": None, "play_id": "mine"}), strict=True):
        path.write_text(json.dumps([{**record, **extra}
                                    for record in json.loads(path.read_text())]))

    run = sync(tmp_path / "x")

    assert run.returncode == 0, run.stderr
    records = run.records(HISTORY)
    assert multiset(map(extended_identity, records)) == multiset(map(play_identity, plays))
    assert all("mood" not in r and r["play_id"] != "mine" for r in records)
    assert len(warnings(run, SDK_WARNING.format("('mood',)", HISTORY))) == 1, run.stderr
    assert len(warnings(run, SDK_WARNING.format("('mood', 'play_id')", HISTORY))) == 1
    assert len(warnings(run, "not found in catalog schema")) == 2


def test_a_catalog_declaring_fewer_fields_gets_records_without_them(sync, tmp_path,
                                                                    history_catalog):
    plays = make_plays(200, seed=57)
    write_extended(tmp_path / "x", plays)
    catalog = json.loads(json.dumps(history_catalog))
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == HISTORY)
    del entry["schema"]["properties"]["ip_addr"]

    run = sync(tmp_path / "x", catalog=catalog)

    assert run.returncode == 0, run.stderr
    assert all("ip_addr" not in r and "platform" in r for r in run.records(HISTORY))
    assert len(run.records(HISTORY)) == 200
    assert len(warnings(run, SDK_WARNING.format("('ip_addr',)", HISTORY))) == 1
