"""The user endpoints over HTTP: shapes against the 2026 recordings and the OpenAPI
spec, paging and cursors, the 50-play window, playlists and their items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorOptions, EmulatorServer
from tests.emulator.helpers import assert_valid, recorded_body, response_validator, validator
from tests.emulator.user_helpers import ALL_SCOPES, fields, user_session

PLAYED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ADDED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    """One read-only emulator for the whole module (nothing here changes it)."""
    with EmulatorServer(EmulatorOptions()) as server:
        yield server


@pytest.fixture(scope="module")
def s(emu: EmulatorServer) -> requests.Session:
    return user_session(emu)


def get(emu: EmulatorServer, s: requests.Session, path: str, **params: Any) -> Any:
    resp = s.get(emu.api_url + path, params=params or None, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def walk(emu: EmulatorServer, s: requests.Session, url: str) -> list[dict[str, Any]]:
    """Every page from ``url`` on, following ``next``."""
    pages = []
    while url:
        page = s.get(url, timeout=5).json()
        page = page.get("artists", page)
        pages.append(page)
        url = page["next"]
        assert len(pages) < 50
    return pages


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize(
    ("recording", "path", "params"),
    [
        ("jl_recently_played_2026.json", "/me/player/recently-played", {"limit": 50}),
        ("jl_top_artists_2026.json", "/me/top/artists", {"limit": 50}),
        ("jl_followed_artists_2026.json", "/me/following", {"type": "artist", "limit": 50}),
        ("jl_current_user_playlists_2026.json", "/me/playlists", {"limit": 50}),
    ],
)
def test_field_sets_match_the_recordings(
    emu: EmulatorServer, s: requests.Session, recording: str, path: str, params: dict[str, Any]
) -> None:
    assert fields(get(emu, s, path, **params)) == fields(recorded_body(f"user/{recording}"))


def test_profile_fields_match_the_recording(emu: EmulatorServer) -> None:
    """The recording was made without user-read-email (with it ``email`` is added) and
    before Spotify added ``account_id`` (May 2026)."""
    recorded = fields(recorded_body("user/jl_current_user_2026.json")) | {"account_id"}
    plain = user_session(emu, ["user-read-private"])
    assert fields(get(emu, plain, "/me")) == recorded
    assert fields(get(emu, user_session(emu), "/me")) == recorded | {"email"}


def test_playlist_item_fields_match_the_recording(emu: EmulatorServer, s: requests.Session) -> None:
    """Track items carry exactly the recorded fields; episode items add the episode's."""
    playlist = emu.backend.users.library().playlist_ids[0]
    body = get(emu, s, f"/playlists/{playlist}/items", limit=50)
    recorded = fields(recorded_body("user/jl_playlist_items_2026.json"))
    tracks = [i for i in body["items"] if i["item"]["type"] == "track" and not i["is_local"]]
    assert fields({**body, "items": tracks}) == recorded
    locals_ = [i for i in body["items"] if i["is_local"]]
    assert fields({**body, "items": locals_}) <= recorded


def test_bodies_validate_against_the_spec(emu: EmulatorServer, s: requests.Session) -> None:
    """Where real answers break the spec (null context, null playlist images, local
    files with null ids) those parts are left out, as the recordings would fail too."""
    assert_valid(response_validator("OnePrivateUser"), get(emu, s, "/me"))
    plays = get(emu, s, "/me/player/recently-played", limit=50)
    plays["items"] = [p for p in plays["items"] if p["context"] is not None]
    assert_valid(response_validator("CursorPagedPlayHistory"), plays)
    for kind, name in (("artists", "PagingArtistObject"), ("tracks", "PagingTrackObject")):
        body = get(emu, s, f"/me/top/{kind}", limit=50, time_range="long_term")
        assert_valid(response_validator(name), body)
    assert_valid(response_validator("PagingSavedTrackObject"), get(emu, s, "/me/tracks", limit=50))
    assert_valid(response_validator("PagingSavedAlbumObject"), get(emu, s, "/me/albums", limit=50))
    assert_valid(
        response_validator("CursorPagedArtists"), get(emu, s, "/me/following", type="artist")
    )
    playlists = get(emu, s, "/me/playlists", limit=50)
    playlists["items"] = [p for p in playlists["items"] if p["images"] is not None]
    assert_valid(response_validator("PagedPlaylists"), playlists)
    big = emu.backend.users.library().playlist_ids[0]
    items = get(emu, s, f"/playlists/{big}/items", limit=50)
    episodes = [i["item"] for i in items["items"] if i["item"]["type"] == "episode"]
    items["items"] = [i for i in items["items"] if not i["is_local"]]
    assert_valid(response_validator("PagingPlaylistTrackObject"), items)
    assert episodes
    for episode in episodes:
        assert_valid(validator("schemas/EpisodeObject"), episode)


# ------------------------------------------------------------ recently played
def test_recently_played_newest_first_with_cursors(
    emu: EmulatorServer, s: requests.Session
) -> None:
    body = get(emu, s, "/me/player/recently-played")
    items = body["items"]
    assert len(items) == 20 and body["limit"] == 20
    times = [i["played_at"] for i in items]
    assert all(PLAYED_AT.match(t) for t in times)
    assert times == sorted(times, reverse=True) and len(set(times)) == 20
    plays = emu.backend.users.library().plays
    assert body["cursors"] == {"after": str(plays[0].played_at), "before": str(plays[19].played_at)}
    assert body["href"] == f"{emu.api_url}/me/player/recently-played?limit=20"
    assert body["next"] == (
        f"{emu.api_url}/me/player/recently-played?before={plays[19].played_at}&limit=20"
    )
    assert {i["context"]["type"] for i in items if i["context"]} <= {"album", "playlist", "artist"}


def test_only_the_newest_50_plays_are_readable(emu: EmulatorServer, s: requests.Session) -> None:
    plays = emu.backend.users.library().plays
    assert len(plays) == 80
    pages = walk(emu, s, f"{emu.api_url}/me/player/recently-played?limit=20")
    seen = [i["played_at"] for p in pages for i in p["items"]]
    assert [len(p["items"]) for p in pages] == [20, 20, 10]
    assert len(seen) == 50 == len(set(seen))
    full = get(emu, s, "/me/player/recently-played", limit=50)
    assert len(full["items"]) == 50
    beyond = s.get(full["next"], timeout=5).json()
    assert beyond["items"] == [] and beyond["cursors"] is None and beyond["next"] is None
    oldest_readable = plays[49].played_at
    older = get(emu, s, "/me/player/recently-played", before=oldest_readable)
    assert older["items"] == []
    everything = get(emu, s, "/me/player/recently-played", after=0, limit=50)
    assert len(everything["items"]) == 50


def test_recently_played_after(emu: EmulatorServer, s: requests.Session) -> None:
    plays = emu.backend.users.library().plays
    bookmark = plays[9].played_at
    body = get(emu, s, "/me/player/recently-played", after=bookmark, limit=50)
    assert [i["played_at"] for i in body["items"]] == [
        i["played_at"] for i in get(emu, s, "/me/player/recently-played", limit=9)["items"]
    ]
    assert body["next"] is None
    assert body["href"].endswith(f"?after={bookmark}&limit=50")
    newest = get(emu, s, "/me/player/recently-played", after=plays[0].played_at)
    assert newest["items"] == [] and newest["cursors"] is None
    # after with a full page: the newest ``limit`` of them.
    five = get(emu, s, "/me/player/recently-played", after=bookmark, limit=5)
    assert five["cursors"]["after"] == str(plays[0].played_at)
    assert five["cursors"]["before"] == str(plays[4].played_at)


def test_recently_played_bad_parameters(emu: EmulatorServer, s: requests.Session) -> None:
    url = emu.api_url + "/me/player/recently-played"
    for params in ({"after": 1, "before": 2}, {"limit": 51}, {"limit": 0}, {"after": "yesterday"}):
        resp = s.get(url, params=params, timeout=5)
        assert resp.status_code == 400, params
        assert resp.json()["error"]["status"] == 400


# -------------------------------------------------------------------- top
def test_top_lists_per_time_range(emu: EmulatorServer, s: requests.Session) -> None:
    ids: dict[str, list[str]] = {}
    for time_range, total in (("short_term", 30), ("medium_term", 50), ("long_term", 75)):
        for kind in ("artists", "tracks"):
            pages = walk(emu, s, f"{emu.api_url}/me/top/{kind}?time_range={time_range}&limit=50")
            assert pages[0]["total"] == total
            assert len(pages) == (2 if total > 50 else 1)
            items = [i for p in pages for i in p["items"]]
            assert len(items) == total
            assert all(i["type"] == kind[:-1] for i in items)
            ids[f"{kind}/{time_range}"] = [i["id"] for i in items]
            assert pages[0]["href"].startswith(
                f"{emu.api_url}/me/top/{kind}?time_range={time_range}&offset=0"
            )
    assert ids["tracks/short_term"] != ids["tracks/medium_term"][:30]
    assert ids["artists/long_term"][:30] != ids["artists/short_term"]
    default = get(emu, s, "/me/top/tracks", limit=50)
    assert [i["id"] for i in default["items"]] == ids["tracks/medium_term"]
    track = default["items"][0]
    assert {"album", "artists", "external_ids", "popularity", "available_markets"} <= set(track)
    assert re.match(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$", track["external_ids"]["isrc"])


def test_top_bad_time_range(emu: EmulatorServer, s: requests.Session) -> None:
    resp = s.get(emu.api_url + "/me/top/artists", params={"time_range": "forever"}, timeout=5)
    assert resp.status_code == 400


# ---------------------------------------------------------------- library
def test_saved_tracks_newest_first_in_pages(emu: EmulatorServer, s: requests.Session) -> None:
    pages = walk(emu, s, f"{emu.api_url}/me/tracks?limit=50")
    assert [len(p["items"]) for p in pages] == [50, 50, 30]
    assert pages[0]["total"] == 130
    assert pages[1]["href"] == f"{emu.api_url}/me/tracks?offset=50&limit=50"
    added = [i["added_at"] for p in pages for i in p["items"]]
    assert all(ADDED_AT.match(a) for a in added)
    # Save order, newest save first; the two pre-saves (first and fourth) carry their
    # release as added_at: one in the future, one years back.
    saves = [a for n, a in enumerate(added) if n not in (0, 3)]
    assert saves == sorted(saves, reverse=True) and len(set(added)) == 130
    assert added[0] > added[1] and added[3] < added[-1]
    assert len({i["track"]["id"] for p in pages for i in p["items"]}) == 130


def test_saved_tracks_with_market(emu: EmulatorServer, s: requests.Session) -> None:
    body = get(emu, s, "/me/tracks", market="from_token", limit=5)
    assert body["href"].endswith("&market=SE")
    for item in body["items"]:
        assert "is_playable" in item["track"] and "available_markets" not in item["track"]
    assert s.get(emu.api_url + "/me/tracks?market=XYZ", timeout=5).status_code == 400


def test_saved_albums(emu: EmulatorServer, s: requests.Session) -> None:
    body = get(emu, s, "/me/albums", limit=50)
    assert body["total"] == 25 and len(body["items"]) == 25 and body["next"] is None
    added = [i["added_at"] for i in body["items"]]
    saves = [a for n, a in enumerate(added) if n not in (0, 3)]
    assert saves == sorted(saves, reverse=True) and added[0] > added[1] and added[3] < added[-1]
    album = body["items"][1]["album"]
    assert album["type"] == "album" and "tracks" in album and "label" in album
    assert album["tracks"]["href"].startswith(f"{emu.api_url}/albums/{album['id']}/tracks")


def test_followed_artists_cursor_paging(emu: EmulatorServer, s: requests.Session) -> None:
    first = get(emu, s, "/me/following", type="artist", limit=50)["artists"]
    assert first["total"] == 70 and len(first["items"]) == 50
    last_id = first["items"][-1]["id"]
    assert first["cursors"] == {"after": last_id}
    assert first["next"] == f"{emu.api_url}/me/following?type=artist&limit=50&after={last_id}"
    assert first["href"] == f"{emu.api_url}/me/following?type=artist&limit=50"
    second = s.get(first["next"], timeout=5).json()["artists"]
    assert len(second["items"]) == 20 and second["next"] is None
    assert second["cursors"] == {"after": None}
    ids = [a["id"] for a in first["items"] + second["items"]]
    assert len(set(ids)) == 70
    missing = s.get(emu.api_url + "/me/following", timeout=5)
    assert missing.status_code == 400


# -------------------------------------------------------------- playlists
def test_my_playlists(emu: EmulatorServer, s: requests.Session) -> None:
    pages = walk(emu, s, f"{emu.api_url}/me/playlists?limit=5")
    assert pages[0]["href"] == f"{emu.api_url}/users/listener/playlists?offset=0&limit=5"
    playlists = [p for page in pages for p in page["items"]]
    assert len(playlists) == pages[0]["total"] == 12
    owners = {p["owner"]["id"] for p in playlists}
    assert "listener" in owners and "spotify" in owners and len(owners) >= 4
    assert any(p["collaborative"] and p["owner"]["id"] == "listener" for p in playlists)
    assert any(p["collaborative"] and p["owner"]["id"] != "listener" for p in playlists)
    assert any(not p["collaborative"] and p["owner"]["id"] != "listener" for p in playlists)
    sizes = [p["items"]["total"] for p in playlists]
    assert 0 in sizes and max(sizes) > 200 and 100 in sizes and 101 in sizes
    for p in playlists:
        assert p["tracks"]["total"] == p["items"]["total"]
        assert p["items"]["href"] == f"{emu.api_url}/playlists/{p['id']}/items"
        assert p["tracks"]["href"] == f"{emu.api_url}/playlists/{p['id']}/tracks"
        assert len(p["snapshot_id"]) == 32 and p["snapshot_id"].startswith("AAAA")
        assert p["public"] is False or not p["collaborative"]
    empty = next(p for p in playlists if p["items"]["total"] == 0)
    assert empty["images"] is None


def test_playlist_items_paging(emu: EmulatorServer, s: requests.Session) -> None:
    big = next(p for p in emu.backend.users.data.playlists.values() if len(p.items) > 200)
    pages = walk(emu, s, f"{emu.api_url}/playlists/{big.id}/items?limit=50")
    assert [len(p["items"]) for p in pages] == [50, 50, 50, 50, 30]
    assert pages[1]["href"] == f"{emu.api_url}/playlists/{big.id}/items?offset=50&limit=50"
    items = [i for p in pages for i in p["items"]]
    added = [i["added_at"] for i in items]
    assert all(ADDED_AT.match(a) for a in added) and added == sorted(added)
    for item in items:
        assert item["item"] == item["track"]
        assert item["primary_color"] is None and item["video_thumbnail"] == {"url": None}
        assert item["added_by"]["type"] == "user" and "display_name" not in item["added_by"]
    local = [i for i in items if i["is_local"]]
    assert len(local) == 1
    assert local[0]["item"]["id"] is None and local[0]["item"]["uri"].startswith("spotify:local:")
    episodes = [i for i in items if i["item"]["type"] == "episode"]
    assert len(episodes) == 1 and episodes[0]["item"]["show"]["type"] == "show"
    tracks = [i["item"] for i in items if i["item"]["type"] == "track" and not i["is_local"]]
    assert all(t["episode"] is False and t["track"] is True for t in tracks)
    too_many = s.get(f"{emu.api_url}/playlists/{big.id}/items?limit=51", timeout=5)
    assert too_many.status_code == 400 and too_many.json()["error"]["message"] == "Invalid limit"
    removed = s.get(f"{emu.api_url}/playlists/{big.id}/tracks?limit=100", timeout=5)
    assert removed.status_code == 200  # the removed /tracks took 100


def test_playlist_tracks_is_items_in_extended(emu: EmulatorServer, s: requests.Session) -> None:
    playlist = emu.backend.users.library().playlist_ids[2]
    items = get(emu, s, f"/playlists/{playlist}/items")
    tracks = get(emu, s, f"/playlists/{playlist}/tracks")
    assert tracks["items"] == items["items"]
    assert tracks["href"] == f"{emu.api_url}/playlists/{playlist}/tracks?offset=0&limit=20"


def test_unknown_and_malformed_playlist_ids(emu: EmulatorServer, s: requests.Session) -> None:
    resp = s.get(f"{emu.api_url}/playlists/{'Z' * 22}/items", timeout=5)
    assert resp.status_code == 404
    assert resp.json() == {"error": {"status": 404, "message": "Resource not found"}}
    assert s.get(f"{emu.api_url}/playlists/nope/items", timeout=5).status_code == 400


def test_other_users_public_playlists(emu: EmulatorServer, s: requests.Session) -> None:
    body = get(emu, s, "/users/vinylvera/playlists")
    assert body["total"] == 1 and body["items"][0]["owner"]["id"] == "vinylvera"
    assert get(emu, s, "/users/nobody-at-all/playlists")["total"] == 0


@pytest.mark.parametrize("keys", [("item",), ("track",)])
def test_playlist_item_keys_switch(make_emulator: Any, keys: tuple[str, ...]) -> None:
    emu = make_emulator()
    emu.backend.users.playlist_item_keys = keys
    s = user_session(emu, ALL_SCOPES)
    playlist = get(emu, s, "/me/playlists")["items"][0]
    refs = {"items", "tracks"} & set(playlist)
    assert refs == {"items" if keys == ("item",) else "tracks"}
    items = get(emu, s, f"/playlists/{playlist['id']}/items")["items"]
    assert all({"item", "track"} & set(i) == set(keys) for i in items)
    with pytest.raises(ValueError):
        emu.backend.users.playlist_item_keys = ("items",)
