"""The catalog endpoints: new releases, albums, their tracks, search, and the batch
endpoints the emulator only knows by their Development Mode 403.

Each takes the backend, the query parameters and the route's path parameters
(http/routes.py) and returns a Response or raises ApiError; http/pipeline.py has
already authenticated the request and applied the tier's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote_plus

from tap_spotify.spotify import ALBUMS_PER_REQUEST, SEARCH_MAX_END, SEARCH_MAX_LIMIT

from ..backend import SpotifyBackend
from ..http.messages import ApiError, Response, dumpb
from ..http.params import PathParams, Query
from ..http.params import id_param as _album_id
from ..http.params import limit_param as _limit
from ..http.params import market_param as _market
from ..http.params import offset_param as _offset
from .search import SEARCH_TYPES


# ------------------------------------------------------------------ endpoints
def new_releases(backend: SpotifyBackend, params: Query, _: PathParams) -> Response:
    """GET /v1/browse/new-releases: curated list, unavailable albums still listed.

    ``country`` is accepted and echoed in the paging URLs; the emulator has one
    curated list for every country.
    """
    limit = _limit(params, 20)
    offset = _offset(params)
    country = _market(params, "country")
    ids = backend.catalog.new_release_ids
    albums = backend.catalog.albums
    render = backend.renderer
    items = [render.simplified_album(albums[i]) for i in render.window(ids, offset, limit)]
    body = render.page(
        "/browse/new-releases",
        items,
        offset=offset,
        limit=limit,
        total=len(ids),
        before=f"country={country}" if country else "",
    )
    return Response(200, b'{"albums":' + body + b"}")


def several_albums(backend: SpotifyBackend, params: Query, _: PathParams) -> Response:
    """GET /v1/albums?ids=: full albums (or null) in request order."""
    raw = params.get("ids", "")
    ids = raw.split(",") if raw else []
    if len(ids) > ALBUMS_PER_REQUEST:
        raise ApiError(400, "too many ids requested")
    if not ids:
        raise ApiError(400, "invalid id")
    for album_id in ids:
        _album_id(album_id)
    market = _market(params)
    items = []
    for album_id in ids:
        album = backend.catalog.get(album_id)
        items.append(b"null" if album is None else backend.renderer.full_album(album, market))
    return Response(200, b'{"albums":[' + b",".join(items) + b"]}")


def album(backend: SpotifyBackend, params: Query, path: PathParams) -> Response:
    """GET /v1/albums/{id}: one full album with its first 50 tracks."""
    found = backend.catalog.get(_album_id(path.get("album_id")))
    market = _market(params)
    if found is None:
        raise ApiError(404, "non existing id")
    return Response(200, backend.renderer.full_album(found, market))


def album_tracks(backend: SpotifyBackend, params: Query, path: PathParams) -> Response:
    """GET /v1/albums/{id}/tracks: a bare paging object of simplified tracks."""
    checked = _album_id(path.get("album_id"))
    limit = _limit(params, 20)
    offset = _offset(params)
    market = _market(params)
    found = backend.catalog.get(checked)
    if found is None:
        raise ApiError(404, "non existing id")
    return Response(200, backend.renderer.tracks_page(found, market, offset=offset, limit=limit))


def search(backend: SpotifyBackend, params: Query, _: PathParams) -> Response:
    """GET /v1/search: albums only have results (``tag:new`` and plain words)."""
    query = params.get("q") or params.get("query")  # next links carry query=
    if not query:
        raise ApiError(400, "No search query")
    raw_types = params.get("type")
    if not raw_types:
        raise ApiError(400, "Missing parameter type")
    types = [t.strip() for t in raw_types.split(",")]
    for kind in types:
        if kind not in SEARCH_TYPES:
            raise ApiError(400, "Bad search type field " + kind)
    limit = _limit(params, 5, SEARCH_MAX_LIMIT)
    offset = _offset(params, SEARCH_MAX_END)
    if offset + limit > SEARCH_MAX_END:
        # Spotify's OpenAPI description caps offset + limit at 1,000; a 2022 report
        # (spotipy #868) saw 400 for offset 1000 with limit 5, older ones a 404.
        raise ApiError(400, "Invalid limit")
    market = _market(params)
    render = backend.renderer
    after_market = f"&market={market}" if market else ""
    parts = []
    for kind in dict.fromkeys(types):
        if kind == "album":
            found = backend.search(query, market)
            page = render.window(found, offset, limit)
            items = [render.simplified_album(a, market) for a in page]
            total = len(found)
        else:
            items, total = [], 0
        body = render.page(
            "/search",
            items,
            offset=offset,
            limit=limit,
            total=total,
            before=f"query={quote_plus(query)}",
            after=f"type={kind}{after_market}",
            max_end=SEARCH_MAX_END,
        )
        parts.append(dumpb(kind + "s") + b":" + body)
    return Response(200, b"{" + b",".join(parts) + b"}")


def not_emulated(backend: SpotifyBackend, params: Query, _: PathParams) -> Response:
    """A real endpoint the emulator does not serve (only its 403 in development)."""
    raise ApiError(404, "Service not found")


Handler = Callable[[SpotifyBackend, Query, PathParams], Response]

#: Handlers by the names http/routes.py routes to (``token`` has its own, http/token.py).
HANDLERS: dict[str, Handler] = {
    "new_releases": new_releases,
    "several_albums": several_albums,
    "album": album,
    "album_tracks": album_tracks,
    "search": search,
    "several_tracks": not_emulated,
    "several_artists": not_emulated,
    "audio_features": not_emulated,
    "several_episodes": not_emulated,
    "several_shows": not_emulated,
    "several_audiobooks": not_emulated,
    "several_chapters": not_emulated,
}
