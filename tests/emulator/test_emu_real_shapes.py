"""Shapes Spotify really sends (README "Shapes seen in real data"): library order with
pre-saves, ``account_id``, null playlist entries, and the documented page caps."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import api, session
from tests.emulator.user_helpers import get_json, session_as, user_admin, user_session, user_summary

LISTENERS = ("listener", "alice", "bob", "carol")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _saved(emu: EmulatorServer, s: requests.Session, kind: str) -> list[dict[str, Any]]:
    """Every item of /me/tracks or /me/albums, in the order served."""
    items: list[dict[str, Any]] = []
    url: str | None = f"{emu.api_url}/me/{kind}?limit=50"
    while url:
        page = s.get(url, timeout=5).json()
        items += page["items"]
        url = page["next"]
    return items


# ------------------------------------------------------------------ library order
@pytest.mark.parametrize("user", LISTENERS)
@pytest.mark.parametrize("kind", ["albums", "tracks"])
def test_every_library_holds_two_pre_saves(
    emulator: EmulatorServer, user: str, kind: str
) -> None:
    """Save order, but one added_at in the future and one years back, both at 23:00Z."""
    items = _saved(emulator, session_as(emulator, user), kind)
    added = [i["added_at"] for i in items]
    now = _now()
    future = [a for a in added if a > now]
    assert len(future) == 1 and added[0] == future[0]
    assert future[0].endswith("T23:00:00Z")
    years_back = min(added)
    assert int(years_back[:4]) <= int(now[:4]) - 3 and years_back.endswith("T23:00:00Z")
    if len(added) > 2:  # carol's albums are the two pre-saves alone
        assert added != sorted(added, reverse=True)  # not monotonic
    regular = [a for a in added if a not in (future[0], years_back)]
    assert regular == sorted(regular, reverse=True)


def test_a_save_with_any_added_at_comes_first(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    before = _saved(emulator, s, "albums")
    [old] = user_admin(emulator, "save_albums", added_at="2016-12-19T23:00:00Z")["saved"]
    [ahead] = user_admin(emulator, "save_albums", added_at="2031-05-01T22:00:00Z")["saved"]
    items = _saved(emulator, s, "albums")
    assert [i["album"]["id"] for i in items[:2]] == [ahead, old]
    assert [i["added_at"] for i in items[:2]] == ["2031-05-01T22:00:00Z", "2016-12-19T23:00:00Z"]
    assert items[2:] == before
    [track] = user_admin(emulator, "save_tracks", added_at="2019-01-01T00:00:00Z")["saved"]
    first = get_json(emulator, s, "/me/tracks", limit=1)["items"][0]
    assert first["track"]["id"] == track and first["added_at"] == "2019-01-01T00:00:00Z"
    counts = user_summary(emulator)["counts"]
    assert counts["saved_albums"] == 27 and counts["pre_saved_albums"] == 4
    bad = requests.post(
        f"{emulator.base_url}/_emulator/user/save_albums", params={"added_at": "soon"}, timeout=5
    )
    assert bad.status_code == 400 and "added_at" in bad.json()["error"]


def test_removals(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    albums = _saved(emulator, s, "albums")
    gone = user_admin(emulator, "unsave_albums", ids=albums[3]["album"]["id"])
    assert gone == {"unsaved": [albums[3]["album"]["id"]]}
    assert _saved(emulator, s, "albums") == albums[:3] + albums[4:]
    tracks = _saved(emulator, s, "tracks")
    gone = user_admin(emulator, "unsave_tracks", count=2, offset=1)["unsaved"]
    assert gone == [t["track"]["id"] for t in tracks[1:3]]
    assert _saved(emulator, s, "tracks") == tracks[:1] + tracks[3:]
    followed = get_json(emulator, s, "/me/following", type="artist", limit=50)["artists"]
    gone = user_admin(emulator, "unfollow")["unfollowed"]
    assert gone == [followed["items"][0]["id"]]
    after = get_json(emulator, s, "/me/following", type="artist", limit=50)["artists"]
    assert after["total"] == followed["total"] - 1
    missing = requests.post(
        f"{emulator.base_url}/_emulator/user/unsave_albums", params={"ids": "x" * 22}, timeout=5
    )
    assert missing.status_code == 400 and "not in the library" in missing.json()["error"]


# ------------------------------------------------------------------- account_id
@pytest.mark.parametrize("profile", ["extended", "development"])
def test_me_carries_account_id(make_emulator: Any, profile: str) -> None:
    emu = make_emulator(profile=profile)
    me = get_json(emu, user_session(emu, ["user-read-private"]), "/me")
    assert me["account_id"] and me["account_id"] != me["id"]
    assert me["account_id"] == user_summary(emu)["account_id"]


# ------------------------------------------------------------ playlist entries
def test_null_entries_keep_their_positions(emulator: EmulatorServer) -> None:
    alice = session_as(emulator, "alice")
    playlists = user_summary(emulator, "alice")["playlists"]
    shared = next(p for p in playlists if p["name"] == "Alice & Bob")
    assert (shared["null_entries"], shared["null_items"]) == (1, 1)
    page = get_json(emulator, alice, f"/playlists/{shared['id']}/items", limit=50)
    assert page["total"] == len(page["items"]) == shared["items"]
    nulls = [n for n, i in enumerate(page["items"]) if i is None]
    unavailable = [n for n, i in enumerate(page["items"]) if i is not None and i["item"] is None]
    assert nulls == [4] and unavailable == [5]
    entry = page["items"][5]
    assert entry["track"] is None and entry["added_at"] and entry["is_local"] is False
    small = get_json(emulator, alice, f"/playlists/{shared['id']}/items", limit=2, offset=4)
    assert small["items"][0] is None and small["items"][1]["item"] is None


def test_edit_playlist_adds_odd_entries(emulator: EmulatorServer) -> None:
    s = user_session(emulator)
    playlist = user_summary(emulator)["playlists"][2]  # "One song"
    user_admin(emulator, "edit_playlist", id=playlist["id"], entry="null")
    user_admin(emulator, "edit_playlist", id=playlist["id"], entry="unavailable")
    items = get_json(emulator, s, f"/playlists/{playlist['id']}/items")["items"]
    assert len(items) == playlist["items"] + 2 and items[-2] is None
    assert items[-1]["item"] is None and items[-1]["added_by"]["id"] == "listener"
    bad = requests.post(
        f"{emulator.base_url}/_emulator/user/edit_playlist", params={"entry": "x"}, timeout=5
    )
    assert bad.status_code == 400


# ------------------------------------------------------------------------- caps
USER_PAGES = (
    ("/me/player/recently-played", {}),
    ("/me/top/artists", {}),
    ("/me/top/tracks", {}),
    ("/me/tracks", {}),
    ("/me/albums", {}),
    ("/me/following", {"type": "artist"}),
    ("/me/playlists", {}),
)


def test_limit_above_50_is_invalid_everywhere(emulator: EmulatorServer) -> None:
    user = user_session(emulator)
    app = session(emulator)
    album = next(a for a in emulator.backend.catalog.new_releases if a.available).id
    playlist = user_summary(emulator)["playlists"][0]["id"]
    pages = [(user, path, params) for path, params in USER_PAGES] + [
        (user, f"/playlists/{playlist}/items", {}),
        (app, "/browse/new-releases", {}),
        (app, f"/albums/{album}/tracks", {}),
    ]
    for s, path, params in pages:
        assert s.get(emulator.api_url + path, params={**params, "limit": 50}, timeout=5).ok, path
        resp = s.get(emulator.api_url + path, params={**params, "limit": 51}, timeout=5)
        assert resp.status_code == 400, path
        assert resp.json() == {"error": {"status": 400, "message": "Invalid limit"}}, path


def test_playlist_items_cap_is_an_option(make_emulator: Any) -> None:
    emu = make_emulator(playlist_items_max_limit=100)
    playlist = user_summary(emu)["playlists"][0]["id"]
    page = get_json(emu, user_session(emu), f"/playlists/{playlist}/items", limit=100)
    assert len(page["items"]) == 100


def test_search_caps(emulator: EmulatorServer) -> None:
    s = session(emulator)

    def error(**params: Any) -> Any:
        return api(emulator, s, "/search", q="a", type="album", **params).json()

    invalid = {"error": {"status": 400, "message": "Invalid limit"}}
    assert error(limit=11) == invalid
    assert error(offset=991, limit=10) == invalid
    assert error(offset=1000, limit=1) == invalid
    assert api(emulator, s, "/search", q="a", type="album", offset=990, limit=10).ok
    last = api(emulator, s, "/search", q="tag:new", type="album", offset=980, limit=10).json()
    assert last["albums"]["offset"] == 980
