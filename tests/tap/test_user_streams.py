"""The user's own data over real HTTP against the emulator: a first run of every user
stream, a quiet second run, gaps, revoked or narrowed authorizations, both tiers."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from tests.tap.conftest import refresh_token_for, tap_config

USER_STREAMS = ("me", "recently_played", "top_tracks", "top_artists", "saved_tracks",
                "saved_albums", "followed_artists", "playlists", "playlist_items")


def user_config(emu, **overrides):
    return tap_config(emu, refresh_token=refresh_token_for(emu), **overrides)


@pytest.fixture
def listener(make_emulator):
    return make_emulator(new_releases=3, seed=7)


def test_first_run_syncs_every_user_stream_at_the_lower_bound(listener, tap_run):
    summary = listener.backend.users.summary()
    counts = summary["counts"]
    config = user_config(listener)
    listener.backend.reset_stats()

    run = tap_run(config)

    assert run.returncode == 0, run.stderr
    assert len(run.records("me")) == 1
    assert len(run.records("recently_played")) == counts["readable_plays"]
    for kind in ("top_tracks", "top_artists"):
        ranked = Counter(r["time_range"] for r in run.records(kind))
        assert ranked == Counter(counts[kind]), kind
        ranks = sorted(r["rank"] for r in run.records(kind) if r["time_range"] == "long_term")
        assert ranks == list(range(1, counts[kind]["long_term"] + 1))
    assert len(run.records("saved_tracks")) == counts["saved_tracks"]
    assert len(run.records("saved_albums")) == counts["saved_albums"]
    assert len(run.records("followed_artists")) == counts["followed_artists"]
    assert len(run.records("playlists")) == counts["playlists"]
    items = Counter(r["playlist_id"] for r in run.records("playlist_items"))
    assert items == Counter({p["id"]: p["items"] for p in summary["playlists"] if p["items"]})
    for record in run.records("playlist_items"):
        assert "track" not in record and record["item"] is not None
    played = [r["played_at"] for r in run.records("recently_played")]
    assert played == sorted(played)  # oldest first, so the bookmark only moves forward

    requests = listener.backend.stats()["counts"]
    assert requests["me"] == 1
    assert requests["recently_played"] == 1
    assert requests["top_tracks"] == sum(-(-n // 50) or 1 for n in counts["top_tracks"].values())
    assert requests["saved_tracks"] == -(-counts["saved_tracks"] // 50)
    assert requests["followed_artists"] == -(-counts["followed_artists"] // 50)
    assert requests["playlist_items"] == sum(-(-p["items"] // 50) or 1  # Spotify's cap
                                             for p in summary["playlists"])
    assert requests["token"] == 1  # one user token serves every stream


def test_second_run_emits_only_what_is_new(listener, tap_run):
    config = user_config(listener)
    first = tap_run(config)
    assert first.returncode == 0, first.stderr

    users = listener.backend.users
    users.play(7)
    users.save_tracks(3)
    changed = users.edit_playlist()
    listener.backend.reset_stats()

    second = tap_run(config, state=first.state)

    assert second.returncode == 0, second.stderr
    assert len(second.records("recently_played")) == 7
    assert len(second.records("saved_tracks")) == 3
    assert second.records("saved_albums") == []
    assert {r["playlist_id"] for r in second.records("playlist_items")} == {changed}
    assert "may have been missed" not in second.stderr

    quiet = tap_run(config, state=second.state)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.records("recently_played") == [] and quiet.records("playlist_items") == []
    requests = listener.backend.stats()["counts"]
    user_requests = sum(requests.get(k, 0) for k in
                        ("me", "recently_played", "top_tracks", "top_artists", "saved_tracks",
                         "saved_albums", "followed_artists", "playlists", "playlist_items"))
    assert user_requests > 0


def test_a_gap_in_recently_played_is_reported(listener, tap_run):
    config = user_config(listener)
    first = tap_run(config)
    listener.backend.users.play(60)

    second = tap_run(config, state=first.state)

    assert second.returncode == 0, second.stderr
    assert len(second.records("recently_played")) == 50
    warning = next(line for line in second.stderr.splitlines() if "may have been missed" in line)
    assert "recently_played" in warning and "more often" in warning


def test_revoked_authorization_is_one_line_and_no_records(listener, tap_run):
    config = user_config(listener)
    listener.backend.users.revoke()

    run = tap_run(config)

    assert run.returncode == 1
    assert "tap-spotify login" in run.last_stderr_line
    assert run.last_stderr_line.startswith("tap-spotify: error:")
    assert not [m for m in run.messages if m["type"] in ("RECORD", "STATE")]
    assert "Traceback" not in run.stderr


def test_expired_authorization_after_six_months(listener, tap_run):
    config = user_config(listener)
    listener.backend.users.age_consent(200)
    run = tap_run(config)
    assert run.returncode == 1 and "expired" in run.last_stderr_line


def test_authorization_ending_soon_is_warned_about(listener, tap_run):
    given = (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=175)).isoformat()
    run = tap_run(user_config(listener, refresh_token_date=given))
    assert run.returncode == 0, run.stderr
    assert "run `tap-spotify login` again" in run.stderr


def test_a_missing_scope_skips_only_its_streams(listener, tap_run):
    token = refresh_token_for(listener, scopes=("user-read-private",
                                                "user-read-recently-played",
                                                "user-library-read"))
    run = tap_run(tap_config(listener, refresh_token=token))

    assert run.returncode == 0, run.stderr
    assert run.records("top_tracks") == [] and run.records("playlists") == []
    assert run.records("recently_played") and run.records("saved_tracks")
    warnings = [line for line in run.stderr.splitlines() if "lacks the" in line]
    assert any("top_tracks" in w and "user-top-read" in w and "--scopes" in w
               for w in warnings)
    assert listener.backend.stats()["counts"].get("top_tracks", 0) == 0


def test_development_profile(make_emulator, tap_run):
    emu = make_emulator(new_releases=3, seed=7, profile="development")
    summary = emu.backend.users.summary()
    withheld = [p for p in summary["playlists"] if not p["readable_in_development"]]
    assert withheld, "the emulator's listener should follow someone else's playlist"

    run = tap_run(user_config(emu))

    assert run.returncode == 0, run.stderr
    (me,) = run.records("me")
    assert "email" not in me and "country" not in me
    read = {r["playlist_id"] for r in run.records("playlist_items")}
    assert not read & {p["id"] for p in withheld}
    warning = [line for line in run.stderr.splitlines() if "playlists not read" in line]
    assert len(warning) == 1 and f"{len(withheld)} playlists not read" in warning[0]
    assert run.records("recently_played")


def test_without_a_refresh_token_the_catalog_runs_as_before(listener, tap_run):
    run = tap_run(tap_config(listener))
    assert run.returncode == 0, run.stderr
    assert len(run.records("new_releases")) == 3
    assert not any(run.records(s) for s in USER_STREAMS)
    assert run.stderr.count("Run `tap-spotify login` once to enable them") == 1


def test_a_new_refresh_token_is_used_and_reported(listener, tap_run):
    listener.backend.users.rotate_refresh_tokens = True
    run = tap_run(user_config(listener))
    assert run.returncode == 0, run.stderr
    assert "returned a new refresh token" in run.stderr


def test_no_token_reaches_the_output(listener, tap_run):
    token = refresh_token_for(listener)
    run = tap_run(tap_config(listener, refresh_token=token))
    assert run.returncode == 0
    assert token not in run.stderr and token.encode() not in run.stdout
    assert listener.backend.options.client_secret not in run.stderr


def test_a_bookmark_in_the_future_is_set_aside_with_a_warning(listener, tap_run):
    state = {"bookmarks": {"recently_played": {"replication_key": "played_at",
                                               "replication_key_value": "2031-01-01T00:00:00Z"}}}
    run = tap_run(user_config(listener), state=state)
    assert run.returncode == 0, run.stderr
    assert len(run.records("recently_played")) == 50
    assert "recently_played: the state's bookmark 2031-01-01T00:00:00Z is in the future" \
        in run.stderr
