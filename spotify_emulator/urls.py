"""The route table: (method, path pattern) -> handler name, apart from the handlers.

As in moto's ``urls.py``: ``responses.py`` holds the API and token handlers,
``admin.py`` the ``/_emulator/*`` ones, each in a dict keyed by these names; the
handler name is also the endpoint name counted in stats.  Patterns are regular
expressions matched against the whole path (a trailing slash is ignored, as the
real API does); named groups are passed to the handler.
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
)

#: Endpoint names of the API (what ``backend.forbid`` and the stats know).
API_ENDPOINTS = tuple(dict.fromkeys(r.handler for r in API_URLS))


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
