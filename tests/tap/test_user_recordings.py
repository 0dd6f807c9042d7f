"""The user streams against Spotify's real 2026 answers (tests/fixtures, see NOTICE.md):
the schemas accept every recorded object, and every recorded field reaches a record."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest

from tap_spotify.schemas import user as schemas

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "spotify" / "recordings" / "user"
SCOPES = ("user-read-private user-read-email user-read-recently-played user-top-read "
          "user-library-read user-follow-read playlist-read-private "
          "playlist-read-collaborative")


def recorded(name: str) -> dict:
    body = json.loads((RECORDINGS / f"jl_{name}_2026.json").read_text())["body"]
    for page in (body, body.get("artists")):  # one page each: no links to follow
        if isinstance(page, dict) and "next" in page:
            page["next"] = None
            page["total"] = len(page.get("items") or [])
    return body


EMPTY_PAGE = {"items": [], "next": None, "total": 0, "limit": 50, "offset": 0}
PATHS = {
    "/v1/me": recorded("current_user"),
    "/v1/me/player/recently-played": recorded("recently_played"),
    "/v1/me/top/artists": recorded("top_artists"),
    "/v1/me/top/tracks": recorded("top_tracks"),
    "/v1/me/tracks": recorded("saved_tracks"),
    "/v1/me/albums": recorded("saved_albums"),
    "/v1/me/following": recorded("followed_artists"),
    "/v1/me/playlists": recorded("current_user_playlists"),
    "/v1/browse/new-releases": {"albums": EMPTY_PAGE},
}
ITEMS = recorded("playlist_items")


class RecordedSpotify(BaseHTTPRequestHandler):
    """Answers every request with the recorded body for its path."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.answer({"access_token": "recorded-token", "token_type": "Bearer",
                     "expires_in": 3600, "scope": SCOPES})

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        body = ITEMS if path.startswith("/v1/playlists/") else PATHS.get(path)
        self.answer(body, 200 if body is not None else 404)

    def answer(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body if body is not None else {"error": {"status": 404}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorded_spotify() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedSpotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every field path of a JSON value (`items[].track.album.name`...)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(prefix + key)
            found |= paths(inner, prefix + key + ".")
    elif isinstance(value, list):
        for inner in value:
            found |= paths(inner, prefix.rstrip(".") + "[].")
    return found


LISTENER = {"listener_id": "a listener"}
RANKED = {**LISTENER, "time_range": "long_term", "rank": 1, "snapshot_date": "2026-03-03"}
CASES = [  # stream, its schema, the recorded objects, what the stream adds
    ("me", schemas.ME, [PATHS["/v1/me"]], LISTENER),
    ("recently_played", schemas.RECENTLY_PLAYED, PATHS["/v1/me/player/recently-played"]
     ["items"], LISTENER),
    ("top_artists", schemas.TOP_ARTIST, PATHS["/v1/me/top/artists"]["items"], RANKED),
    ("top_tracks", schemas.TOP_TRACK, PATHS["/v1/me/top/tracks"]["items"], RANKED),
    ("saved_tracks", schemas.SAVED_TRACK, PATHS["/v1/me/tracks"]["items"],
     {**LISTENER, "track_id": "t"}),
    ("saved_albums", schemas.SAVED_ALBUM, [i for i in PATHS["/v1/me/albums"]["items"] if i],
     {**LISTENER, "album_id": "a"}),
    ("followed_artists", schemas.FOLLOWED_ARTIST,
     PATHS["/v1/me/following"]["artists"]["items"], LISTENER),
    # 2026 answers name a playlist's items both `tracks` and `items`: records keep `items`
    ("playlists", schemas.PLAYLIST, [{k: v for k, v in p.items() if k != "tracks"}
                                     for p in PATHS["/v1/me/playlists"]["items"]], LISTENER),
]


@pytest.mark.parametrize(("stream", "schema", "objects", "added"), CASES,
                         ids=[c[0] for c in CASES])
def test_the_schemas_accept_every_recorded_object(stream, schema, objects, added):
    validator = jsonschema.Draft7Validator(schema)
    for obj in objects:
        errors = list(validator.iter_errors({**obj, **added}))
        assert not errors, f"{stream}: {errors[0].message} at {list(errors[0].path)}"
        assert set(obj) <= set(schema["properties"]), \
            f"{stream}: undeclared {set(obj) - set(schema['properties'])}"


def test_playlist_items_schema_accepts_the_recorded_items():
    validator = jsonschema.Draft7Validator(schemas.PLAYLIST_ITEM)
    for item in ITEMS["items"]:
        record = {k: v for k, v in item.items() if k != "track"}
        record.update(playlist_id="p", position=0, snapshot_id="s", **LISTENER)
        assert not list(validator.iter_errors(record))


def test_every_recorded_field_reaches_the_records(recorded_spotify, tap_run):
    run = tap_run({"client_id": "id", "client_secret": "secret", "refresh_token": "r",
                   "api_url": recorded_spotify + "/v1",
                   "auth_url": recorded_spotify + "/api/token"})
    assert run.returncode == 0, run.stderr

    def covered(stream: str, objects: list[dict], unwrap=lambda r: r) -> None:
        want = set().union(*(paths(o) for o in objects))
        got = set().union(*(paths(unwrap(r)) for r in run.records(stream)))
        assert want <= got, f"{stream}: recorded fields missing: {sorted(want - got)[:10]}"

    covered("me", [PATHS["/v1/me"]])
    covered("recently_played", PATHS["/v1/me/player/recently-played"]["items"])
    covered("top_artists", PATHS["/v1/me/top/artists"]["items"])
    covered("top_tracks", PATHS["/v1/me/top/tracks"]["items"])
    covered("saved_tracks", PATHS["/v1/me/tracks"]["items"])
    covered("saved_albums", [i for i in PATHS["/v1/me/albums"]["items"] if i])
    covered("followed_artists", PATHS["/v1/me/following"]["artists"]["items"])
    covered("playlists", [{k: v for k, v in p.items() if k != "tracks"}
                          for p in PATHS["/v1/me/playlists"]["items"]])
    # ... and `track` and `item` for a playlist's entries: the records keep `item`
    covered("playlist_items", [{k: v for k, v in i.items() if k != "track"}
                               for i in ITEMS["items"]])
    assert len(run.records("playlist_items")) == len(ITEMS["items"]) * len(
        PATHS["/v1/me/playlists"]["items"])


def test_a_field_spotify_adds_is_dropped_with_the_sdks_warning(recorded_spotify, tap_run):
    PATHS["/v1/me"] = {**recorded("current_user"), "listening_persona": "night owl"}
    try:
        run = tap_run({"client_id": "id", "client_secret": "secret", "refresh_token": "r",
                       "api_url": recorded_spotify + "/v1",
                       "auth_url": recorded_spotify + "/api/token"})
    finally:
        PATHS["/v1/me"] = recorded("current_user")
    assert run.returncode == 0, run.stderr
    (me,) = run.records("me")
    assert "listening_persona" not in me and me["id"]
    schema = next(m["schema"] for m in run.messages
                  if m["type"] == "SCHEMA" and m["stream"] == "me")
    assert "listening_persona" not in schema["properties"]  # records match their SCHEMA
    assert ("Properties ('listening_persona',) were present in the 'me' stream but not "
            "found in catalog schema. Ignoring.") in run.stderr


def saved_album_ids(page: dict) -> list[str]:
    return [item["album"]["id"] for item in page["items"] if item]


def test_the_library_in_save_order_from_a_real_2026_answer(recorded_spotify, tap_run):
    """Spotify's 2026 /me/albums lists albums in save order while pre-saves carry their
    release date (2026-02-12, 2024-09-19, 2025-10-16, 2016-12-19, ...): every album is
    synced, a quiet run emits nothing, and a new save is found whatever its date."""
    config = {"client_id": "id", "client_secret": "secret", "refresh_token": "r",
              "api_url": recorded_spotify + "/v1", "auth_url": recorded_spotify + "/api/token"}
    listing = PATHS["/v1/me/albums"]
    dates = [item["added_at"] for item in listing["items"] if item]
    assert dates != sorted(dates, reverse=True)  # the real answer is out of date order

    first = tap_run(config)

    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert [r["album_id"] for r in first.records("saved_albums")] == list(
        reversed(saved_album_ids(listing)))  # oldest save first
    quiet = tap_run(config, state=first.state)
    assert quiet.records("saved_albums") == []

    older = json.loads(json.dumps(listing["items"][3]))  # saved years ago, by its date
    older["album"]["id"] = "0newSaveDated2016xxxxx"
    PATHS["/v1/me/albums"] = {**listing, "items": [older, *listing["items"]],
                              "total": listing["total"] + 1}
    try:
        third = tap_run(config, state=quiet.state)
    finally:
        PATHS["/v1/me/albums"] = listing
    assert third.returncode == 0, third.stderr
    assert [r["album_id"] for r in third.records("saved_albums")] == ["0newSaveDated2016xxxxx"]
