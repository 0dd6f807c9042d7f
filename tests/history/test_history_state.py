"""Incremental runs: a later export repeats every earlier play; with state, only the
plays it added come out, even where the bookmark's second holds several plays."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

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
from tests.history.synthetic import make_plays, write_account, write_extended, zip_folder


def boundary_in_a_shared_second(plays, near: int) -> int:
    """An index i near `near` where plays[i] stopped in the same second as plays[i-1]."""
    i = next(i for i in range(near, len(plays)) if plays[i].ts == plays[i - 1].ts)
    assert plays[i].ts != plays[i + 1].ts
    return i


def test_second_run_with_state_emits_exactly_what_the_new_export_added(sync, tmp_path):
    plays = make_plays(2500, seed=11)
    cut = boundary_in_a_shared_second(plays, 1500)  # plays[cut] shares the old last second
    write_extended(tmp_path / "old", plays[:cut], old=True, per_file=400)
    new = write_extended(tmp_path / "export", plays, per_file=500, shuffle_seed=3)
    new_zip = zip_folder(new[0].parent, tmp_path / "new.zip")
    write_account(tmp_path / "acct_old", plays[1000:cut], per_file=200)
    write_account(tmp_path / "acct_new", plays[1000:], per_file=200)

    first = sync([tmp_path / "old", tmp_path / "acct_old"])
    assert first.returncode == 0, first.stderr
    assert len(first.records(HISTORY)) == cut
    assert history_state(first)["replication_key_value"] == plays[cut - 1].ts_text

    second = sync([tmp_path / "old", new_zip, tmp_path / "acct_old", tmp_path / "acct_new"],
                  state=first.state)

    assert second.returncode == 0, second.stderr
    assert multiset(map(extended_identity, second.records(HISTORY))) == \
        multiset(map(play_identity, plays[cut:]))
    assert multiset(map(account_identity, second.records(ACCOUNT))) == \
        multiset(map(account_play_identity, plays[cut:]))
    ids = {r["play_id"] for r in first.records(HISTORY)}
    assert ids.isdisjoint(r["play_id"] for r in second.records(HISTORY))

    third = sync([tmp_path / "old", new_zip, tmp_path / "acct_new"], state=second.state)
    assert third.returncode == 0, third.stderr
    assert third.records(HISTORY) == [] and third.records(ACCOUNT) == []
    assert third.state == second.state


def test_state_is_a_bookmark_and_the_plays_at_its_second(sync, tmp_path):
    plays = make_plays(3000, seed=12)
    last = plays[-1]
    same_second = [dataclasses.replace(last, uri=f"spotify:track:edge{i}") for i in range(3)]
    write_extended(tmp_path / "x", [*plays, *same_second])

    run = sync(tmp_path / "x")

    assert run.returncode == 0, run.stderr
    state = history_state(run)
    assert set(state) == {"replication_key", "replication_key_value", "edge_play_ids",
                          "listener_id"}
    assert state["listener_id"] == "default"  # today's files name no account
    assert state["replication_key"] == "ts"
    assert state["replication_key_value"] == last.ts_text
    at_edge = [r["play_id"] for r in run.records(HISTORY) if r["ts"] == last.ts_text]
    assert sorted(state["edge_play_ids"]) == sorted(at_edge)
    assert len(at_edge) == 4
    assert len(json.dumps(run.state)) < 600


def test_identical_plays_at_the_bookmark(sync, tmp_path):
    plays = make_plays(100, seed=13, same_ts_every=0)
    twin = plays[-1]
    write_extended(tmp_path / "old", plays, old=True)  # the last play once...
    write_extended(tmp_path / "new", [*plays, twin, *make_plays(3, seed=14,
                                                             start=twin.ts)])

    first = sync(tmp_path / "old")
    second = sync([tmp_path / "old", tmp_path / "new"], state=first.state)

    assert second.returncode == 0, second.stderr
    emitted = second.records(HISTORY)
    assert len(emitted) == 4  # ...then twice: the second one, and the three after it
    assert extended_identity(emitted[0]) == play_identity(twin)


def test_a_newer_export_alone_then_the_old_one_too(sync, tmp_path):
    plays = make_plays(800, seed=15)
    write_extended(tmp_path / "new", plays)
    write_extended(tmp_path / "old", plays[:500], per_file=120)

    first = sync(tmp_path / "new")
    again = sync([tmp_path / "old", tmp_path / "new"], state=first.state)

    assert again.returncode == 0, again.stderr
    assert again.records(HISTORY) == []


def test_a_run_stopped_at_any_state_resumes_without_loss_or_repeat(sync, tmp_path):
    """STATE messages come every 10,000 records; each covers exactly the records
    before it, so a run resumed from any of them completes the first run."""
    plays = make_plays(25_000, seed=16, same_ts_every=3)
    write_extended(tmp_path / "x", plays, per_file=4000)

    full = sync(tmp_path / "x")

    assert full.returncode == 0, full.stderr
    seen: list[dict] = []
    middle = []
    for message in full.messages:
        if message["type"] == "RECORD" and message["stream"] == HISTORY:
            seen.append(message["record"])
        elif message["type"] == "STATE" and 0 < len(seen) < len(plays):
            middle.append((len(seen), message["value"]))
    assert len(middle) >= 2
    for count, state in middle:
        bookmark = state["bookmarks"][HISTORY]
        assert bookmark["replication_key_value"] == seen[count - 1]["ts"]
        assert sorted(bookmark["edge_play_ids"]) == sorted(
            r["play_id"] for r in seen[:count] if r["ts"] == seen[count - 1]["ts"])
        resumed = sync(tmp_path / "x", state=state)
        assert [r["play_id"] for r in resumed.records(HISTORY)] == \
            [r["play_id"] for r in seen[count:]]


def test_a_bookmark_in_the_future_is_set_aside_with_a_warning(sync, tmp_path):
    plays = make_plays(300, seed=21)
    write_extended(tmp_path / "x", plays, per_file=100)
    state = {"bookmarks": {HISTORY: {"replication_key": "ts",
                                     "replication_key_value": "2031-01-01T00:00:00Z",
                                     "edge_play_ids": []}}}
    run = sync(tmp_path / "x", state=state)
    assert run.returncode == 0, run.stderr
    assert len(run.records(HISTORY)) == 300
    assert "bookmark 2031-01-01T00:00:00Z is in the future" in run.stderr


def test_a_play_dated_in_the_future_never_becomes_the_bookmark(sync, tmp_path):
    plays = make_plays(300, seed=22)
    late = [dataclasses.replace(plays[10], ts=dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc)),
            dataclasses.replace(plays[20], ts=dt.datetime(2998, 6, 1, tzinfo=dt.timezone.utc))]
    write_extended(tmp_path / "x", [*plays, *late], per_file=100)

    first = sync(tmp_path / "x")

    assert first.returncode == 0, first.stderr
    assert multiset(map(extended_identity, first.records(HISTORY))) == \
        multiset(map(play_identity, plays))
    assert history_state(first)["replication_key_value"] == plays[-1].ts_text
    said = [line for line in first.stderr.splitlines() if "after this run's clock" in line]
    assert len(said) == 1 and "WARNING" in said[0], first.stderr
    assert "2 plays" in said[0] and "2999-01-01T00:00:00Z" in said[0]
    more = make_plays(50, seed=23, start=plays[-1].ts)
    write_extended(tmp_path / "y", [*plays, *late, *more], per_file=100)
    second = sync(tmp_path / "y", state=first.state)  # the next download
    assert multiset(map(extended_identity, second.records(HISTORY))) == \
        multiset(map(play_identity, more))


def test_plays_before_the_bookmark_are_dropped_whatever_the_files_hold(sync, tmp_path):
    plays = make_plays(600, seed=24)
    write_extended(tmp_path / "first", plays[:400])
    first = sync(tmp_path / "first")
    # a later download holding plays an earlier one lacked, from before its bookmark
    # (offline listening that reached Spotify late), and a few after it
    late = [dataclasses.replace(p, ms_played=p.ms_played + 1) for p in plays[100:110]]
    write_extended(tmp_path / "second", [*plays, *late])

    second = sync(tmp_path / "second", state=first.state)

    assert second.returncode == 0, second.stderr
    assert multiset(map(extended_identity, second.records(HISTORY))) == \
        multiset(map(play_identity, plays[400:]))
