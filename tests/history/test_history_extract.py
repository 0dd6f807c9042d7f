"""Both export formats, every file name Spotify has used, zips and folders: every play
comes out once, in time order, with every field as exported."""

from __future__ import annotations

import dataclasses
import json

from devkit.tap import run_tap
from tests.history.conftest import (
    ACCOUNT,
    HISTORY,
    account_identity,
    account_play_identity,
    extended_identity,
    history_state,
    multiset,
    play_identity,
)
from tests.history.synthetic import (
    ENDSONG_FIELDS,
    EXTENDED_FIELDS,
    make_plays,
    write_account,
    write_extended,
    zip_folder,
)


def test_zip_and_folder_with_both_formats_every_play_once(sync, tmp_path):
    plays = make_plays(3000, seed=1)
    # An old export (endsong files, the first 2,000 plays) extracted to a folder, and
    # the newer export as Spotify sends it: a zip of the Audio and Video files + PDF.
    old = tmp_path / "old" / "MyData"
    write_extended(old, plays[:2000], old=True, per_file=600)
    new = write_extended(tmp_path / "new" / "Spotify Extended Streaming History", plays,
                         per_file=700, shuffle_seed=5)
    export = zip_folder(new[0].parent, tmp_path / "my_spotify_data.zip")
    # Account data (last year only) in a folder, music and podcast files apart.
    last_year = plays[-900:]
    write_account(tmp_path / "account" / "Spotify Account Data", last_year, per_file=300)

    run = sync([tmp_path / "old", export, tmp_path / "account"])

    assert run.returncode == 0, run.stderr
    extended = run.records(HISTORY)
    assert multiset(map(extended_identity, extended)) == multiset(map(play_identity, plays))
    assert len({r["play_id"] for r in extended}) == len(plays)
    assert [r["ts"] for r in extended] == sorted(r["ts"] for r in extended)
    account = run.records(ACCOUNT)
    assert multiset(map(account_identity, account)) == \
        multiset(map(account_play_identity, last_year))
    assert len({r["play_id"] for r in account}) == len(last_year)
    assert history_state(run)["replication_key_value"] == plays[-1].ts_text
    assert history_state(run, ACCOUNT)["replication_key_value"] == \
        last_year[-1].ts.strftime("%Y-%m-%dT%H:%M:00Z")


def test_records_keep_every_field_as_exported(sync, tmp_path):
    plays = make_plays(300, seed=2)
    write_extended(tmp_path / "new", plays[:200])
    write_extended(tmp_path / "old", plays[100:], old=True)

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    by_identity = {extended_identity(r): r for r in run.records(HISTORY)}
    assert len(by_identity) == 300
    for i, play in enumerate(plays):
        record = by_identity[play_identity(play)]
        # where both exports hold a play, the record with today's field names wins
        fields = EXTENDED_FIELDS if i < 200 else ENDSONG_FIELDS
        assert list(record) == [*fields, "listener_id", "play_id"]
        assert record["listener_id"] == "synthetic-user"  # the username endsong files hold
    schema = next(m["schema"] for m in run.messages
                  if m["type"] == "SCHEMA" and m["stream"] == HISTORY)
    assert set(EXTENDED_FIELDS) | set(ENDSONG_FIELDS) <= set(schema["properties"])
    assert schema["properties"]["ts"]["format"] == "date-time"
    assert schema["properties"]["listener_id"]["type"] == ["string"]
    assert next(m for m in run.messages if m["type"] == "SCHEMA")["key_properties"] == \
        ["listener_id", "play_id"]


def test_old_and_new_file_names_other_files_ignored(sync, tmp_path):
    plays = make_plays(400, seed=3)
    write_extended(tmp_path / "a", plays[:150], old=True, per_file=50)  # endsong_N.json
    write_extended(tmp_path / "b", plays[150:], per_file=100)  # Streaming_History_*
    assert any("Video" in p.name for p in (tmp_path / "b").iterdir())
    write_account(tmp_path / "c", plays[:200], old=True, per_file=80)  # StreamingHistoryN
    write_account(tmp_path / "d", plays[200:], per_file=80)  # _music_N, _podcast_N
    (tmp_path / "d" / "notes.txt").write_text("not a history file")
    (tmp_path / "d" / "._StreamingHistory_music_0.json").write_bytes(b"\x00\x05\x16")

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(map(play_identity, plays))
    assert multiset(map(account_identity, run.records(ACCOUNT))) == \
        multiset(map(account_play_identity, plays))


def test_account_records_carry_ts_and_old_and_new_podcast_names_match(sync, tmp_path):
    plays = make_plays(300, seed=4)
    write_account(tmp_path / "old", plays[:200], old=True)  # podcasts as artist/track
    write_account(tmp_path / "new", plays)  # podcasts as podcastName/episodeName

    run = sync([tmp_path / "old", tmp_path / "new"])

    assert run.returncode == 0, run.stderr
    records = run.records(ACCOUNT)
    assert len(records) == 300
    for record in records:
        assert record["ts"] == record["endTime"].replace(" ", "T") + ":00Z"
    podcasts = [r for r in records if "podcastName" in r]
    assert podcasts and all("artistName" not in r for r in podcasts)  # today's names win


def test_identical_plays_are_numbered_not_merged(sync, tmp_path):
    plays = make_plays(50, seed=5)
    twice = plays[20]  # exported twice: same second, same track, same ms
    export = [*plays[:21], twice, *plays[21:]]
    write_extended(tmp_path / "new", export)
    # an older export with the same plays, the twin once and then twice
    write_extended(tmp_path / "old1", plays[:30], old=True)
    write_extended(tmp_path / "old2", export[:30], old=True)

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    records = run.records(HISTORY)
    assert multiset(map(extended_identity, records)) == multiset(map(play_identity, export))
    assert len({r["play_id"] for r in records}) == 51


def test_plays_in_the_same_second_are_all_kept(sync, tmp_path):
    first = make_plays(10, seed=6, same_ts_every=0)
    same_second = [dataclasses.replace(first[5], uri=f"spotify:track:same{i}", ms_played=i)
                   for i in range(4)]
    plays = [*first[:5], *same_second, *first[6:]]
    write_extended(tmp_path / "x", plays)
    write_extended(tmp_path / "y", list(reversed(plays)), old=True)

    run = sync(tmp_path)

    assert run.returncode == 0, run.stderr
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(map(play_identity, plays))


def test_catalog_field_selection_goes_through_the_sdk(sync, tmp_path, history_catalog):
    """With a field deselected the SDK handles each record: same plays, same state."""
    plays = make_plays(500, seed=7)
    write_extended(tmp_path / "x", plays, shuffle_seed=1)
    catalog = json.loads(json.dumps(history_catalog))
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == HISTORY)
    for meta in entry["metadata"]:
        if meta["breadcrumb"] == ["properties", "platform"]:
            meta["metadata"]["selected"] = False

    direct = sync(tmp_path / "x")
    through_sdk = sync(tmp_path / "x", catalog=catalog)

    assert through_sdk.returncode == 0, through_sdk.stderr
    records = through_sdk.records(HISTORY)
    assert all("platform" not in r for r in records)
    assert [r["play_id"] for r in records] == [r["play_id"] for r in direct.records(HISTORY)]
    assert history_state(through_sdk)["replication_key_value"] == \
        history_state(direct)["replication_key_value"] == plays[-1].ts_text
    assert history_state(through_sdk)["edge_play_ids"] == history_state(direct)["edge_play_ids"]


def test_stream_map_filter_goes_through_the_sdk(sync, tmp_path):
    plays = make_plays(300, seed=8)
    write_extended(tmp_path / "x", plays)
    maps = {HISTORY: {"__filter__": "ms_played >= 30000"}}

    run = sync(tmp_path / "x", stream_maps=maps)

    assert run.returncode == 0, run.stderr
    assert multiset(map(extended_identity, run.records(HISTORY))) == \
        multiset(play_identity(p) for p in plays if p.ms_played >= 30000)
    assert history_state(run)["replication_key_value"] == plays[-1].ts_text


def test_history_alone_needs_no_credentials(tmp_path):
    """As a user runs it: no catalog, only the setting (README: "When this is the only
    thing you set, the tap needs no Spotify app or credentials")."""
    plays = make_plays(100, seed=9)
    write_extended(tmp_path / "x", plays)

    run = run_tap(tmp_path / "run", {"streaming_history_path": str(tmp_path / "x")})

    assert run.returncode == 0, run.stderr
    assert len(run.records(HISTORY)) == 100
