"""Several listeners (household.py) over HTTP: signing in as one, tokens per listener,
what they share, per-listener admin calls, and a Development Mode app's allowlist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.emulator.user_helpers import (
    get_json,
    login,
    session_as,
    token_post,
    user_admin,
    user_session,
    user_summary,
)

LISTENERS = ("listener", "alice", "bob", "carol")
NOT_REGISTERED = "User not registered in the Developer Dashboard"


@pytest.fixture(scope="module")
def house() -> Iterator[EmulatorServer]:
    """One emulator for the read-only tests of this module."""
    with EmulatorServer(EmulatorOptions()) as server:
        yield server


@pytest.fixture(scope="module")
def sessions(house: EmulatorServer) -> dict[str, requests.Session]:
    out = {user: session_as(house, user) for user in LISTENERS}
    user_admin(house, "sign_in")  # back to the default listener
    return out


def _ids(emu: EmulatorServer, s: requests.Session, path: str, key: str, **params: Any) -> set[str]:
    """Every id a paged listing holds (``key``: where the object sits in an item)."""
    found: set[str] = set()
    url: str | None = emu.api_url + path
    first = True
    while url:
        page = s.get(url, params=params if first else None, timeout=5).json()
        page = page.get("artists", page)
        first = False
        for item in page["items"]:
            obj = item[key] if key else item
            found.add(obj["track"]["id"] if key == "item" else obj["id"])
        url = page["next"]
    return found


def test_each_listener_signs_in_as_themselves(
    house: EmulatorServer, sessions: dict[str, requests.Session]
) -> None:
    profiles = {user: get_json(house, s, "/me") for user, s in sessions.items()}
    assert [p["id"] for p in profiles.values()] == list(LISTENERS)
    accounts = {p["account_id"] for p in profiles.values()}
    assert len(accounts) == 4 and not accounts & set(LISTENERS)
    assert profiles["carol"]["images"] == [] and profiles["carol"]["product"] == "free"
    # account_id is stable: the same on a second sign-in.
    assert get_json(house, session_as(house, "alice"), "/me") == profiles["alice"]
    user_admin(house, "sign_in")
    assert get_json(house, user_session(house), "/me")["id"] == "listener"


def test_summaries_count_what_the_api_serves(
    house: EmulatorServer, sessions: dict[str, requests.Session]
) -> None:
    for user, s in sessions.items():
        summary = user_summary(house, user)
        counts = summary["counts"]
        assert summary["user"] == user and summary["allowlisted"]
        plays = get_json(house, s, "/me/player/recently-played", limit=50)["items"]
        assert len(plays) == counts["readable_plays"]
        assert get_json(house, s, "/me/tracks")["total"] == counts["saved_tracks"]
        assert get_json(house, s, "/me/albums")["total"] == counts["saved_albums"]
        followed = get_json(house, s, "/me/following", type="artist")["artists"]["total"]
        assert followed == counts["followed_artists"]
        playlists = get_json(house, s, "/me/playlists", limit=50)["items"]
        assert [p["id"] for p in playlists] == [p["id"] for p in summary["playlists"]]
        for listed, counted in zip(playlists, summary["playlists"], strict=True):
            assert listed["items"]["total"] == counted["items"]
    carol = user_summary(house, "carol")["counts"]
    assert carol["readable_plays"] == 3 and carol["top_tracks"]["short_term"] == 0
    assert carol["saved_albums"] == carol["pre_saved_albums"] == 2
    assert user_summary(house, "bob")["counts"]["readable_plays"] < 50


def test_listeners_share_saves_follows_and_playlists(
    house: EmulatorServer, sessions: dict[str, requests.Session]
) -> None:
    lea, alice, bob = sessions["listener"], sessions["alice"], sessions["bob"]
    for path, key, params in (
        ("/me/albums", "album", {"limit": 50}),
        ("/me/tracks", "track", {"limit": 50}),
        ("/me/following", "", {"type": "artist", "limit": 50}),
    ):
        assert _ids(house, alice, path, key, **params) & _ids(house, lea, path, key, **params)
        assert _ids(house, bob, path, key, **params) & _ids(house, alice, path, key, **params)
    playlists = {
        user: {p["name"]: p for p in get_json(house, s, "/me/playlists", limit=50)["items"]}
        for user, s in sessions.items()
    }
    assert playlists["alice"]["Exactly a hundred"]["owner"]["id"] == "listener"
    shared = playlists["alice"]["Alice & Bob"]
    assert shared["collaborative"] and playlists["bob"]["Alice & Bob"]["id"] == shared["id"]
    assert playlists["carol"]["Alice & Bob"]["id"] == shared["id"]
    fresh = {playlists[u]["Fresh Finds"]["id"] for u in ("listener", "alice", "bob")}
    assert len(fresh) == 1


def test_tokens_and_refresh_tokens_are_per_listener(make_emulator: Any) -> None:
    emu = make_emulator()
    lea = login(emu)
    user_admin(emu, "sign_in", user="bob")
    bob = login(emu)
    for answer, user in ((lea, "listener"), (bob, "bob")):
        refreshed = token_post(
            emu, grant_type="refresh_token", refresh_token=answer["refresh_token"]
        ).json()
        me = requests.get(
            emu.api_url + "/me",
            headers={"Authorization": f"Bearer {refreshed['access_token']}"},
            timeout=5,
        ).json()
        assert me["id"] == user
    assert user_admin(emu, "revoke", user="bob") == {"revoked": 1}
    assert user_summary(emu)["refresh_tokens"] == {"active": 1, "revoked": 0}
    revoked = token_post(emu, grant_type="refresh_token", refresh_token=bob["refresh_token"])
    assert revoked.json()["error_description"] == "Refresh token revoked"
    assert user_admin(emu, "sign_in", user="alice") == {"signed_in": "alice"}
    assert emu.backend.users.signed_in == "alice"


def test_admin_calls_change_only_the_named_listener(make_emulator: Any) -> None:
    emu = make_emulator()
    before = {u: user_summary(emu, u)["counts"] for u in LISTENERS}
    user_admin(emu, "play", user="alice", count=4)
    user_admin(emu, "save_tracks", user="alice", count=2)
    user_admin(emu, "save_albums", user="alice")
    user_admin(emu, "follow", user="alice", count=3)
    edited = user_admin(emu, "edit_playlist", user="alice")
    after = {u: user_summary(emu, u)["counts"] for u in LISTENERS}
    for user in ("listener", "bob", "carol"):
        assert after[user] == before[user], user
    alice, was = after["alice"], before["alice"]
    assert alice["plays"] == was["plays"] + 4 and alice["saved_tracks"] == was["saved_tracks"] + 2
    assert alice["saved_albums"] == was["saved_albums"] + 1
    assert alice["followed_artists"] == was["followed_artists"] + 3
    owned = next(p for p in user_summary(emu, "alice")["playlists"] if p["owner"] == "alice")
    assert edited["id"] == owned["id"]
    households = requests.get(f"{emu.base_url}/_emulator/users", timeout=5).json()
    assert [h["user"] for h in households["listeners"]] == list(LISTENERS)
    bad = requests.post(f"{emu.base_url}/_emulator/user/play", params={"user": "dave"}, timeout=5)
    assert bad.status_code == 400 and "unknown listener" in bad.json()["error"]


def test_options_choose_who_signs_in(make_emulator: Any) -> None:
    emu = make_emulator(signed_in="carol")
    assert get_json(emu, user_session(emu), "/me")["id"] == "carol"
    with pytest.raises(ValueError, match="unknown listener"):
        EmulatorOptions(signed_in="dave")
    with pytest.raises(ValueError, match="at most 5"):
        EmulatorOptions(allowlist=["listener"] * 6)


def test_development_allowlist(make_emulator: Any) -> None:
    emu = make_emulator(profile="development", allowlist=["listener", "alice"])
    assert get_json(emu, session_as(emu, "alice"), "/me")["id"] == "alice"
    bob = session_as(emu, "bob")  # authorizing works; the API refuses
    for path in ("/me", "/me/tracks", "/me/player/recently-played", "/me/playlists"):
        resp = bob.get(emu.api_url + path, timeout=5)
        assert resp.status_code == 403, path
        assert resp.text == NOT_REGISTERED
        assert resp.headers["Content-Type"].startswith("text/plain")
    assert not user_summary(emu, "bob")["allowlisted"]
    assert user_admin(emu, "allowlist", users="listener,alice,bob") == {
        "allowlist": ["listener", "alice", "bob"]
    }
    assert bob.get(emu.api_url + "/me", timeout=5).status_code == 200
    user_admin(emu, "allowlist", users="listener")
    assert bob.get(emu.api_url + "/me", timeout=5).status_code == 403
    user_admin(emu, "allowlist")  # everyone again
    assert bob.get(emu.api_url + "/me", timeout=5).status_code == 200


def test_the_allowlist_is_a_development_rule(make_emulator: Any) -> None:
    emu = make_emulator(allowlist=["listener"])
    assert get_json(emu, session_as(emu, "carol"), "/me")["id"] == "carol"


def test_development_items_only_for_owners_and_collaborators(make_emulator: Any) -> None:
    emu = make_emulator(profile="development")
    shared = next(p for p in user_summary(emu, "carol")["playlists"] if p["name"] == "Alice & Bob")
    assert not shared["readable_in_development"]
    url = f"{emu.api_url}/playlists/{shared['id']}/items"
    assert session_as(emu, "carol").get(url, timeout=5).status_code == 403
    assert session_as(emu, "bob").get(url, timeout=5).status_code == 200
