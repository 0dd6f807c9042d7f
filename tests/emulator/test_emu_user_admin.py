"""``/_emulator/user*`` over HTTP: new plays, saves, follows and playlist edits, revoked
or aged consent, the consent switch, settings, the summary; and stats per endpoint."""

from __future__ import annotations

import datetime
from typing import Any

import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from spotify_emulator.user.generate import times_between
from tests.emulator.user_helpers import authorize, login, redirected, token_post, user_session


def admin(emu: EmulatorServer, route: str, **params: Any) -> Any:
    resp = requests.post(f"{emu.base_url}/_emulator/user/{route}", params=params, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def summary(emu: EmulatorServer) -> dict[str, Any]:
    return dict(requests.get(f"{emu.base_url}/_emulator/user", timeout=5).json())


def _get(emu: EmulatorServer, s: requests.Session, path: str, **params: Any) -> Any:
    resp = s.get(emu.api_url + path, params=params or None, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_summary(emulator: EmulatorServer) -> None:
    body = summary(emulator)
    assert body["user"] == "listener"
    assert body["counts"] == {
        "plays": 80,
        "readable_plays": 50,
        "top_tracks": {"short_term": 30, "medium_term": 50, "long_term": 75},
        "top_artists": {"short_term": 30, "medium_term": 50, "long_term": 75},
        "saved_tracks": 130,
        "saved_albums": 25,
        "pre_saved_tracks": 2,
        "pre_saved_albums": 2,
        "followed_artists": 70,
        "playlists": 12,
    }
    assert body["consent_date"] is None and body["consent"] == "approve"
    assert len(body["playlists"]) == 12
    assert all(len(p["snapshot_id"]) == 32 for p in body["playlists"])
    login(emulator)
    after = summary(emulator)
    assert after["consent_date"] is not None
    assert after["refresh_tokens"] == {"active": 1, "revoked": 0}


def test_new_plays_come_after_the_bookmark(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    bookmark = _get(emulator, s, "/me/player/recently-played", limit=1)["cursors"]["after"]
    played = admin(emulator, "play", count=7)["played_at"]
    assert len(played) == 7 and played == sorted(played, reverse=True)
    new = _get(emulator, s, "/me/player/recently-played", after=bookmark, limit=50)
    assert [i["played_at"] for i in new["items"]] == played
    assert summary(emulator)["newest_play"] == played[0]


def test_more_new_plays_than_the_window(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    bookmark = _get(emulator, s, "/me/player/recently-played", limit=1)["cursors"]["after"]
    admin(emulator, "play", count=60)
    new = _get(emulator, s, "/me/player/recently-played", after=bookmark, limit=50)
    assert len(new["items"]) == 50  # 10 of the 60 can no longer be read: a gap
    assert int(new["cursors"]["before"]) > int(bookmark)


def test_new_plays_and_saves_are_never_in_the_future(emulator: EmulatorServer) -> None:
    """A client's clock (the Singer SDK's bookmark signpost) must see them as past."""
    users = emulator.backend.users
    played = users.play(60)
    users.save_tracks(40)
    saved = [s.added_at for s in users.library().saved_tracks[:40] if not s.pre_save]
    now = datetime.datetime.now(datetime.timezone.utc)
    newest = datetime.datetime.fromisoformat(played[0].replace("Z", "+00:00"))
    assert newest <= now and len(set(played)) == 60
    assert max(saved) <= now.timestamp() * 1000 and len(set(saved)) == 40
    # Calls in quick succession still give strictly later plays (a few ms ahead at worst).
    assert min(users.play(5)) > played[0]


def test_times_between() -> None:
    assert times_between(0, 100_000, 3, 10_000) == [80_000, 90_000, 100_000]
    assert times_between(95_000, 100_000, 5, 10_000) == [96_000, 97_000, 98_000, 99_000, 100_000]
    assert times_between(99_000, 100_000, 2, 60_000, 1000) == [100_000, 101_000]


def test_saves_and_follows_come_first(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    # The newest save is a pre-save dated in the future: new saves come before it in
    # save order, dated now.
    presaved = _get(emulator, s, "/me/tracks", limit=2)["items"]
    saved = admin(emulator, "save_tracks", count=3)["saved"]
    page = _get(emulator, s, "/me/tracks", limit=4)
    assert page["total"] == 133
    assert [i["track"]["id"] for i in page["items"][:3]] == saved
    assert page["items"][3] == presaved[0]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert presaved[1]["added_at"] < page["items"][2]["added_at"] <= now < presaved[0]["added_at"]
    albums = admin(emulator, "save_albums", count=2)["saved"]
    page = _get(emulator, s, "/me/albums", limit=2)
    assert page["total"] == 27 and [i["album"]["id"] for i in page["items"]] == albums
    followed = admin(emulator, "follow", count=5)["followed"]
    page = _get(emulator, s, "/me/following", type="artist", limit=5)["artists"]
    assert page["total"] == 75 and [a["id"] for a in page["items"]] == followed


def test_edit_playlist_changes_one_snapshot(emulator: EmulatorServer) -> None:
    before = {p["id"]: p for p in summary(emulator)["playlists"]}
    edited = admin(emulator, "edit_playlist")
    first_owned = next(p for p in before.values() if p["owner"] == "listener")
    assert edited["id"] == first_owned["id"]
    after = {p["id"]: p for p in summary(emulator)["playlists"]}
    changed = [i for i in before if before[i]["snapshot_id"] != after[i]["snapshot_id"]]
    assert changed == [edited["id"]] and after[edited["id"]]["snapshot_id"] == edited["snapshot_id"]
    assert after[edited["id"]]["items"] == first_owned["items"] + 1
    other = next(p for p in before.values() if p["owner"] != "listener")
    assert admin(emulator, "edit_playlist", id=other["id"])["id"] == other["id"]
    s = user_session(emulator)
    items = _get(emulator, s, f"/playlists/{edited['id']}/items", limit=50, offset=200)
    assert items["items"][-1]["added_by"]["id"] == "listener"
    bad = requests.post(
        f"{emulator.base_url}/_emulator/user/edit_playlist", params={"id": "nope"}, timeout=5
    )
    assert bad.status_code == 400


def test_revoke_and_age_consent(emulator: EmulatorServer) -> None:
    token = login(emulator)["refresh_token"]
    assert admin(emulator, "revoke") == {"revoked": 1}
    resp = token_post(emulator, grant_type="refresh_token", refresh_token=token)
    assert resp.json()["error_description"] == "Refresh token revoked"
    token = login(emulator)["refresh_token"]
    admin(emulator, "age_consent", days=183)
    resp = token_post(emulator, grant_type="refresh_token", refresh_token=token)
    assert resp.json()["error_description"] == "Refresh token expired"
    bad = requests.post(
        f"{emulator.base_url}/_emulator/user/age_consent", params={"days": "x"}, timeout=5
    )
    assert bad.status_code == 400


def test_consent_switch(emulator: EmulatorServer) -> None:
    assert admin(emulator, "consent", answer="deny") == {"consent": "deny"}
    assert redirected(authorize(emulator))["error"] == "access_denied"
    admin(emulator, "consent", answer="approve")
    assert "code" in redirected(authorize(emulator))
    bad = requests.post(
        f"{emulator.base_url}/_emulator/user/consent", params={"answer": "perhaps"}, timeout=5
    )
    assert bad.status_code == 400


def test_settings(emulator: EmulatorServer) -> None:
    body = admin(emulator, "settings", rotate_refresh_tokens="1", playlist_item_keys="item")
    assert body == {"rotate_refresh_tokens": True, "playlist_item_keys": ["item"]}
    users = emulator.backend.users
    assert users.rotate_refresh_tokens and users.playlist_item_keys == ("item",)
    bad = requests.post(
        f"{emulator.base_url}/_emulator/user/settings", params={"colour": "red"}, timeout=5
    )
    assert bad.status_code == 400


def test_user_endpoints_are_counted_admin_is_not(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    playlist = emulator.backend.users.library().playlist_ids[0]
    for path in (
        "/me",
        "/me/player/recently-played",
        "/me/top/tracks",
        "/me/top/artists",
        "/me/tracks",
        "/me/albums",
        "/me/following?type=artist",
        "/me/playlists",
        f"/playlists/{playlist}/items",
    ):
        assert s.get(emulator.api_url + path, timeout=5).status_code == 200
    summary(emulator)
    admin(emulator, "play")
    counts = emulator.backend.stats()["counts"]
    for name in (
        "me",
        "recently_played",
        "top_tracks",
        "top_artists",
        "saved_tracks",
        "saved_albums",
        "followed_artists",
        "playlists",
        "playlist_items",
        "authorize",
    ):
        assert counts[name] == 1, name
    assert counts["token"] == 1


def test_same_seed_same_user_data(make_emulator: Any) -> None:
    one, two = make_emulator(seed=5), make_emulator(seed=5)
    a, b = summary(one), summary(two)
    assert [p["id"] for p in a["playlists"]] == [p["id"] for p in b["playlists"]]
    assert [p["snapshot_id"] for p in a["playlists"]] == [p["snapshot_id"] for p in b["playlists"]]
    other = summary(make_emulator(seed=6))
    assert [p["id"] for p in other["playlists"]] != [p["id"] for p in a["playlists"]]


def test_tiny_catalog_still_has_a_full_user_side() -> None:
    """User data is drawn from the catalog but never added to it."""
    with EmulatorServer(EmulatorOptions(new_releases=0, back_catalog=0)) as emu:
        assert summary(emu)["counts"]["saved_tracks"] == 130
        assert emu.backend.catalog.albums == {}
        s = user_session(emu)
        album = _get(emu, s, "/me/albums", limit=1)["items"][0]["album"]["id"]
        assert s.get(f"{emu.api_url}/albums/{album}", timeout=5).status_code == 404
