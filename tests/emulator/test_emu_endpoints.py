"""Endpoint behaviour: paging, limits, ids, trailing slashes, markets, search, catalog edits."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import requests

from spotify_emulator import EmulatorServer
from tests.emulator.helpers import api, session


@pytest.fixture
def s(emulator: EmulatorServer) -> requests.Session:
    return session(emulator)


def _error(resp: requests.Response) -> tuple[int, str]:
    body = resp.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == resp.status_code
    return resp.status_code, body["error"]["message"]


def test_new_releases_default_page(emulator: EmulatorServer, s: requests.Session) -> None:
    page = api(emulator, s, "/browse/new-releases").json()["albums"]
    base = f"{emulator.api_url}/browse/new-releases"
    assert page["limit"] == 20 and page["offset"] == 0 and page["total"] == 100
    assert page["href"] == f"{base}?offset=0&limit=20"
    assert page["next"] == f"{base}?offset=20&limit=20"
    assert page["previous"] is None
    ids = emulator.backend.catalog.new_release_ids
    assert [a["id"] for a in page["items"]] == ids[:20]


def test_new_releases_last_page_and_past_end(emulator: EmulatorServer, s: requests.Session) -> None:
    base = f"{emulator.api_url}/browse/new-releases"
    last = api(emulator, s, "/browse/new-releases", limit=30, offset=90).json()["albums"]
    assert len(last["items"]) == 10 and last["next"] is None
    assert last["previous"] == f"{base}?offset=60&limit=30"
    past = api(emulator, s, "/browse/new-releases", limit=10, offset=500).json()["albums"]
    assert past["items"] == [] and past["next"] is None and past["total"] == 100
    assert past["offset"] == 500


def test_new_releases_order_is_curated_not_by_date(emulator: EmulatorServer) -> None:
    days = [a.release_window[0] for a in emulator.backend.catalog.new_releases]
    assert days != sorted(days) and days != sorted(days, reverse=True)
    today = emulator.options.today
    assert all(
        today - datetime.timedelta(days=14) <= a.release_window[1]
        for a in emulator.backend.catalog.new_releases
    )


@pytest.mark.parametrize("limit", ["0", "51", "-1", "abc", "1.5"])
def test_bad_limit(emulator: EmulatorServer, s: requests.Session, limit: str) -> None:
    resp = api(emulator, s, "/browse/new-releases", limit=limit)
    assert _error(resp) == (400, "Invalid limit")
    album = emulator.backend.catalog.new_release_ids[0]
    resp = api(emulator, s, f"/albums/{album}/tracks", limit=limit)
    assert _error(resp) == (400, "Invalid limit")


def test_bad_offset(emulator: EmulatorServer, s: requests.Session) -> None:
    assert _error(api(emulator, s, "/browse/new-releases", offset=-1)) == (400, "Invalid offset")


def test_limit_bounds_accepted(emulator: EmulatorServer, s: requests.Session) -> None:
    assert len(api(emulator, s, "/browse/new-releases", limit=1).json()["albums"]["items"]) == 1
    assert len(api(emulator, s, "/browse/new-releases", limit=50).json()["albums"]["items"]) == 50


def test_several_albums(emulator: EmulatorServer, s: requests.Session) -> None:
    catalog = emulator.backend.catalog
    ids = [a.id for a in catalog.new_releases if a.available][:3]
    unknown = "0" * 22
    body = api(emulator, s, "/albums", ids=",".join([ids[0], unknown, ids[1], ids[2]])).json()
    albums = body["albums"]
    assert albums[1] is None
    assert [albums[0]["id"], albums[2]["id"], albums[3]["id"]] == ids


def test_several_albums_limits(emulator: EmulatorServer, s: requests.Session) -> None:
    ids = emulator.backend.catalog.new_release_ids
    assert api(emulator, s, "/albums", ids=",".join(ids[:20])).status_code == 200
    resp = api(emulator, s, "/albums", ids=",".join(ids[:21]))
    assert _error(resp) == (400, "too many ids requested")
    assert _error(api(emulator, s, "/albums", ids=f"{ids[0]},nope")) == (400, "invalid id")
    assert _error(api(emulator, s, "/albums")) == (400, "invalid id")


def test_embedded_tracks_first_50(emulator: EmulatorServer, s: requests.Session) -> None:
    catalog = emulator.backend.catalog
    by_count = {a.total_tracks: a for a in catalog.new_releases}
    for count, has_next in ((1, False), (50, False), (51, True), (120, True)):
        album = by_count[count]
        body = api(emulator, s, "/albums", ids=album.id).json()["albums"][0]
        tracks = body["tracks"]
        assert body["total_tracks"] == count == tracks["total"]
        assert len(tracks["items"]) == min(count, 50)
        assert (tracks["next"] is not None) is has_next


def test_album_not_found_and_invalid(emulator: EmulatorServer, s: requests.Session) -> None:
    assert _error(api(emulator, s, "/albums/" + "0" * 22)) == (404, "non existing id")
    assert _error(api(emulator, s, "/albums/" + "0" * 22 + "/tracks")) == (404, "non existing id")
    assert _error(api(emulator, s, "/albums/not-an-id")) == (400, "invalid id")
    assert _error(api(emulator, s, "/albums/short/tracks")) == (400, "invalid id")


def test_album_tracks_paging(emulator: EmulatorServer, s: requests.Session) -> None:
    album = next(a for a in emulator.backend.catalog.new_releases if a.total_tracks == 120)
    url: str | None = f"{emulator.api_url}/albums/{album.id}/tracks?limit=50"
    seen: list[dict[str, Any]] = []
    pages = 0
    while url:
        page = s.get(url, timeout=5).json()
        seen += page["items"]
        url = page["next"]
        pages += 1
    assert pages == 3 and [t["id"] for t in seen] == [t.id for t in album.tracks]
    discs = {(t["disc_number"], t["track_number"]) for t in seen}
    assert len(discs) == 120 and max(d for d, _ in discs) == 3
    past = api(emulator, s, f"/albums/{album.id}/tracks", offset=500).json()
    assert past["items"] == [] and past["next"] is None
    assert past["previous"] == f"{emulator.api_url}/albums/{album.id}/tracks?offset=480&limit=20"


def test_trailing_slashes(emulator: EmulatorServer, s: requests.Session) -> None:
    album = emulator.backend.catalog.new_releases[0]
    base = emulator.api_url
    plain = s.get(f"{base}/albums?ids={album.id}", timeout=5)
    slashed = s.get(f"{base}/albums/?ids={album.id}", timeout=5)
    assert plain.status_code == slashed.status_code == 200 and plain.content == slashed.content
    for path in (f"/albums/{album.id}", f"/albums/{album.id}/tracks", "/browse/new-releases"):
        a = s.get(base + path, timeout=5)
        b = s.get(base + path + "/", timeout=5)
        assert a.status_code == b.status_code == 200 and a.content == b.content
    counts = emulator.backend.stats()["counts"]
    assert counts["several_albums"] == 2 and counts["album_tracks"] == 2


def test_unknown_path(emulator: EmulatorServer, s: requests.Session) -> None:
    assert _error(s.get(emulator.api_url + "/nope", timeout=5)) == (404, "Service not found")


def test_market_params(emulator: EmulatorServer, s: requests.Session) -> None:
    album = emulator.backend.catalog.new_releases[0]
    body = api(emulator, s, f"/albums/{album.id}/tracks", market="ES").json()
    assert body["href"].endswith("&market=ES")
    assert all("is_playable" in t and "available_markets" not in t for t in body["items"])
    assert _error(api(emulator, s, f"/albums/{album.id}", market="ESP")) == (
        400,
        "Invalid market code",
    )


def test_non_ascii_and_explicit_present(emulator: EmulatorServer, s: requests.Session) -> None:
    ids = emulator.backend.catalog.new_release_ids
    names = []
    explicit = False
    for start in range(0, len(ids), 20):
        for album in api(emulator, s, "/albums", ids=",".join(ids[start : start + 20])).json()[
            "albums"
        ]:
            if album is None:
                continue
            names.append(album["name"])
            explicit |= any(t["explicit"] for t in album["tracks"]["items"])
    assert any(not n.isascii() for n in names) and explicit


def test_catalog_awkward_cases(emulator: EmulatorServer) -> None:
    listed = emulator.backend.catalog.new_releases
    counts = {a.total_tracks for a in listed}
    assert {1, 50, 51, 120} <= counts
    assert {a.album_type for a in listed} == {"album", "single", "compilation", "ep"}
    assert {a.release_date_precision for a in listed} == {"year", "month", "day"}
    for a in listed:
        length = {"year": 4, "month": 7, "day": 10}[a.release_date_precision]
        assert len(a.release_date) == length
    assert any(max(t.disc_number for t in a.tracks) > 1 for a in listed)
    assert any(0 < len(a.markets) < 185 for a in listed)
    assert any(len(a.markets) == 0 for a in listed)


def test_track_counts_option(make_emulator: Any) -> None:
    emu = make_emulator(new_releases=5, track_counts=[2, 7])
    assert [a.total_tracks for a in emu.backend.catalog.new_releases] == [2, 7, 2, 7, 2]


def test_search_tag_new(emulator: EmulatorServer, s: requests.Session) -> None:
    catalog = emulator.backend.catalog
    expected = emulator.backend.tag_new_albums()
    assert set(catalog.new_release_ids) - set(expected) <= {
        a.id for a in catalog.new_releases if not a.available
    }
    got: list[str] = []
    url: str | None = f"{emulator.api_url}/search?q=tag%3Anew&type=album"
    first = True
    while url:
        page = s.get(url, timeout=5).json()["albums"]
        if first:
            assert page["limit"] == 5
            assert page["href"].startswith(f"{emulator.api_url}/search?query=tag%3Anew&offset=0")
            first = False
        got += [a["id"] for a in page["items"]]
        url = page["next"]
    assert got == expected
    assert _error(api(emulator, s, "/search", q="tag:new", type="album", limit=11)) == (
        400,
        "Invalid limit",
    )
    assert _error(api(emulator, s, "/search", q="tag:new", type="album", offset=1001)) == (
        400,
        "Invalid offset",
    )
    assert api(emulator, s, "/search", q="tag:new", type="album", offset=995).status_code == 200
    # offset + limit may not pass 1,000 (SEARCH_MAX_END).
    assert _error(api(emulator, s, "/search", q="tag:new", type="album", offset=1000)) == (
        400,
        "Invalid limit",
    )
    assert _error(api(emulator, s, "/search", q="x", type="album", offset=991, limit=10)) == (
        400,
        "Invalid limit",
    )
    assert _error(api(emulator, s, "/search", type="album")) == (400, "No search query")
    assert _error(api(emulator, s, "/search", q="x")) == (400, "Missing parameter type")


def test_search_excludes_old_albums(make_emulator: Any) -> None:
    emu = make_emulator(new_releases=10, back_catalog=30)
    catalog = emu.backend.catalog
    new = set(emu.backend.tag_new_albums())
    today = emu.options.today
    for album in catalog.albums.values():
        first, last = album.release_window
        inside = last >= today - datetime.timedelta(days=14) and first <= today
        assert (album.id in new) == inside
    assert len(new) < len(catalog.albums)


def test_add_album_and_make_unavailable(emulator: EmulatorServer, s: requests.Session) -> None:
    backend = emulator.backend
    added = backend.add_album(
        release_date="2026-11-18", precision="day", tracks=12, list_first=True
    )
    page = api(emulator, s, "/browse/new-releases", limit=1).json()["albums"]
    assert page["items"][0]["id"] == added and page["total"] == 101
    assert backend.catalog.albums[added].total_tracks == 12
    assert added in backend.tag_new_albums()

    backend.make_unavailable(added)
    page = api(emulator, s, "/browse/new-releases", limit=1).json()["albums"]
    assert page["items"][0]["id"] == added  # still listed
    assert api(emulator, s, "/albums", ids=added).json() == {"albums": [None]}
    assert _error(api(emulator, s, f"/albums/{added}")) == (404, "non existing id")
    assert _error(api(emulator, s, f"/albums/{added}/tracks")) == (404, "non existing id")
    assert added not in backend.tag_new_albums()


def test_add_album_precisions(emulator: EmulatorServer) -> None:
    backend = emulator.backend
    month = backend.add_album(
        release_date="2026-11-18", precision="month", tracks=1, list_first=False
    )
    year = backend.add_album(release_date="2026", precision="year", tracks=3)
    assert backend.catalog.albums[month].release_date == "2026-11"
    assert backend.catalog.new_release_ids[-1] == month
    assert backend.catalog.albums[year].release_date == "2026"
    assert backend.catalog.new_release_ids[0] == year


def test_album_dict_helper(emulator: EmulatorServer, s: requests.Session) -> None:
    album = next(a for a in emulator.backend.catalog.new_releases if a.total_tracks == 51)
    full = emulator.backend.album_dict(album.id)
    served = api(emulator, s, f"/albums/{album.id}").json()
    tracks = full.pop("tracks")
    served_tracks = served.pop("tracks")
    assert full == served and tracks[:50] == served_tracks["items"] and len(tracks) == 51


def test_preview_url_is_null_everywhere(emulator: EmulatorServer, s: requests.Session) -> None:
    """Spotify stopped sending preview URLs (null in every 2026 capture)."""
    tracks = []
    for album_id in emulator.backend.catalog.new_release_ids[:40]:
        body = api(emulator, s, f"/albums/{album_id}")
        if body.status_code == 200:
            tracks += body.json()["tracks"]["items"]
            tracks += api(emulator, s, f"/albums/{album_id}/tracks", market="ES").json()["items"]
    assert len(tracks) > 200
    assert all("preview_url" in t and t["preview_url"] is None for t in tracks)


def test_add_album_at_a_position(emulator: EmulatorServer, s: requests.Session) -> None:
    base = emulator.base_url + "/_emulator/add_album"
    before = list(emulator.backend.catalog.new_release_ids)
    added = requests.post(base, params={"position": 30, "tracks": 2}, timeout=5).json()["id"]
    ids = emulator.backend.catalog.new_release_ids
    assert ids[30] == added and ids[:30] == before[:30] and ids[31:] == before[30:]
    page = api(emulator, s, "/browse/new-releases", offset=20, limit=20).json()["albums"]
    assert page["items"][10]["id"] == added and page["total"] == 101
    last = emulator.backend.add_album(tracks=1, position=len(ids))
    assert emulator.backend.catalog.new_release_ids[-1] == last
    first = emulator.backend.add_album(tracks=1, position=0, list_first=False)
    assert emulator.backend.catalog.new_release_ids[0] == first
    assert requests.post(base, params={"position": "x"}, timeout=5).status_code == 400


@pytest.mark.parametrize(
    ("release_date", "precision", "shown"),
    [
        ("2026-11-18", "year", "2026"),
        ("2026", "year", "2026"),
        ("2026-11-18", "month", "2026-11"),
        ("2026-11", "month", "2026-11"),
        ("0000", "year", "0000"),
        ("2027-03-05", "day", "2027-03-05"),
        ("2099", "year", "2099"),
    ],
)
def test_added_release_dates_in_spotify_shapes(
    emulator: EmulatorServer, s: requests.Session, release_date: str, precision: str, shown: str
) -> None:
    added = requests.post(
        emulator.base_url + "/_emulator/add_album",
        params={"release_date": release_date, "precision": precision, "tracks": "2"},
        timeout=5,
    ).json()["id"]
    listed = api(emulator, s, "/browse/new-releases", limit=1).json()["albums"]["items"][0]
    full = api(emulator, s, f"/albums/{added}").json()
    for body in (listed, full):
        assert body["id"] == added
        assert (body["release_date"], body["release_date_precision"]) == (shown, precision)
    # Search still works over such dates; neither year 0 nor the future is "new".
    found = api(emulator, s, "/search", q="tag:new", type="album", limit=10).json()
    assert found["albums"]["total"] >= 1
    if shown in ("0000", "2027-03-05", "2099"):
        assert added not in emulator.backend.tag_new_albums()


def test_bad_added_release_dates(emulator: EmulatorServer) -> None:
    base = emulator.base_url + "/_emulator/add_album"
    for params in (
        {"release_date": "0000", "precision": "day"},
        {"release_date": "soon"},
        {"release_date": "2026-13-01"},
        {"precision": "week"},
    ):
        assert requests.post(base, params=params, timeout=5).status_code == 400, params
