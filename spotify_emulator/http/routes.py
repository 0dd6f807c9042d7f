"""The route table: (method, path pattern) -> handler name, apart from the handlers.

As in moto's ``urls.py``: catalog/handlers.py holds the catalog handlers, token.py
the token endpoint, user/handlers.py the user ones, user/authorize.py the /authorize
page, admin.py (with catalog/admin.py and user/admin.py) the ``/_emulator/*`` ones,
each in a dict keyed by these names; the handler name is also the endpoint name
counted in stats. Patterns are regular expressions matched against the whole path
(a trailing slash is ignored, as the real API does); named groups are passed to the
handler.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: str


@dataclasses.dataclass(frozen=True)
class Match:
    """A path found in a table; ``allowed`` is False when only the method is wrong."""

    handler: str
    params: dict[str, str]
    allowed: bool


def _routes(*table: tuple[str, str, str]) -> tuple[Route, ...]:
    return tuple(Route(method, re.compile(f"^{path}$"), handler) for method, path, handler in table)


_ID = r"(?P<album_id>[^/]+)"
_PLAYLIST = r"(?P<playlist_id>[^/]+)"

API_URLS = _routes(
    ("POST", r"/api/token", "token"),
    ("GET", r"/v1/browse/new-releases", "new_releases"),
    ("GET", r"/v1/albums", "several_albums"),
    ("GET", rf"/v1/albums/{_ID}", "album"),
    ("GET", rf"/v1/albums/{_ID}/tracks", "album_tracks"),
    ("GET", r"/v1/search", "search"),
    # Batch endpoints removed for Development Mode apps (Feb 2026 migration guide):
    # 403 there; not emulated for extended apps (404 Service not found).
    ("GET", r"/v1/tracks", "several_tracks"),
    ("GET", r"/v1/artists", "several_artists"),
    ("GET", r"/v1/audio-features", "audio_features"),
    ("GET", r"/v1/episodes", "several_episodes"),
    ("GET", r"/v1/shows", "several_shows"),
    ("GET", r"/v1/audiobooks", "several_audiobooks"),
    ("GET", r"/v1/chapters", "several_chapters"),
)

#: The user side (user/handlers.py): user tokens only, one scope each.
USER_URLS = _routes(
    ("GET", r"/v1/me", "me"),
    ("GET", r"/v1/me/player/recently-played", "recently_played"),
    ("GET", r"/v1/me/top/artists", "top_artists"),
    ("GET", r"/v1/me/top/tracks", "top_tracks"),
    ("GET", r"/v1/me/tracks", "saved_tracks"),
    ("GET", r"/v1/me/albums", "saved_albums"),
    ("GET", r"/v1/me/following", "followed_artists"),
    ("GET", r"/v1/me/playlists", "playlists"),
    ("GET", r"/v1/users/(?P<user_id>[^/]+)/playlists", "user_playlists"),
    ("GET", rf"/v1/playlists/{_PLAYLIST}/items", "playlist_items"),
    ("GET", rf"/v1/playlists/{_PLAYLIST}/tracks", "playlist_tracks"),
)

#: The accounts page a browser visits (user/authorize.py): answered at once.
ACCOUNTS_URLS = _routes(("GET", r"/authorize", "authorize"))

#: Everything ``pipeline.handle`` serves.
ROUTES = (*API_URLS, *USER_URLS, *ACCOUNTS_URLS)

ADMIN_URLS = _routes(
    ("GET", r"/_emulator/stats", "stats"),
    ("GET", r"/_emulator/catalog", "catalog"),
    ("POST", r"/_emulator/reset", "reset"),
    ("POST", r"/_emulator/script_429", "script_429"),
    ("POST", r"/_emulator/expire_tokens", "expire_tokens"),
    ("POST", r"/_emulator/faults", "faults"),
    ("POST", r"/_emulator/rate_limit", "rate_limit"),
    ("POST", r"/_emulator/hostile", "hostile"),
    ("POST", r"/_emulator/add_album", "add_album"),
    ("POST", r"/_emulator/make_unavailable", "make_unavailable"),
    ("GET", r"/_emulator/user", "user_summary"),
    ("GET", r"/_emulator/users", "user_household"),
    ("POST", r"/_emulator/user/sign_in", "user_sign_in"),
    ("POST", r"/_emulator/user/allowlist", "user_allowlist"),
    ("POST", r"/_emulator/user/play", "user_play"),
    ("POST", r"/_emulator/user/save_tracks", "user_save_tracks"),
    ("POST", r"/_emulator/user/save_albums", "user_save_albums"),
    ("POST", r"/_emulator/user/unsave_tracks", "user_unsave_tracks"),
    ("POST", r"/_emulator/user/unsave_albums", "user_unsave_albums"),
    ("POST", r"/_emulator/user/follow", "user_follow"),
    ("POST", r"/_emulator/user/unfollow", "user_unfollow"),
    ("POST", r"/_emulator/user/edit_playlist", "user_edit_playlist"),
    ("POST", r"/_emulator/user/revoke", "user_revoke"),
    ("POST", r"/_emulator/user/age_consent", "user_age_consent"),
    ("POST", r"/_emulator/user/consent", "user_consent"),
    ("POST", r"/_emulator/user/settings", "user_settings"),
)

#: Endpoint names of the API (what ``backend.forbid`` and the stats know).
API_ENDPOINTS = tuple(dict.fromkeys(r.handler for r in ROUTES))


def resolve(table: Sequence[Route], method: str, path: str) -> Match | None:
    """The route serving ``method path``; None for an unknown path."""
    if len(path) > 1:
        path = path.rstrip("/")
    wrong_method: Match | None = None
    for route in table:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return Match(route.handler, found.groupdict(), True)
        if wrong_method is None:
            wrong_method = Match(route.handler, found.groupdict(), False)
    return wrong_method


def describe(table: Sequence[Route]) -> list[str]:
    """``METHOD pattern`` lines, for "unknown route" messages."""
    return [f"{r.method} {r.pattern.pattern.strip('^$')}" for r in table]
