"""From a parsed request to a Response: the request pipeline and the catalog handlers.

Routes (method, path) -> handler name are in urls.py; the catalog handlers are
here, in ``HANDLERS``, the user ones in ``user_responses.USER_ENDPOINTS``, the
/authorize page and the user grants in ``oauth_responses``; server.py moves the
bytes.  Pipeline of an API request (``/v1/...``), in this order:
latency -> hostile ``status_for`` -> scripted 429 -> rolling-window 429 -> fault
draw -> auth (401/400) -> method (405) -> tier (403) -> user endpoints: a user
token (401) and its scope (403) -> parameters (400) -> lookup (404) -> 200, then
gzip when the client accepts it.
The token endpoint gets latency and (unless disabled) faults, never 429s;
/authorize gets latency only.  ``/_emulator/*`` (admin.py) is served outside all
of it: not counted, faulted or limited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qsl, quote_plus

from . import tokens
from .backend import SpotifyBackend
from .compression import accepts_gzip, gzip_bytes
from .faults import STATUS_FAULTS
from .messages import JSON, ApiError, Request, Response, error_body, json_response, oauth_error
from .oauth_responses import USER_GRANTS, read_client, user_grant
from .oauth_responses import authorize as authorize_page
from .params import PathParams, Query
from .params import id_param as _album_id
from .params import limit_param as _limit
from .params import market_param as _market
from .params import offset_param as _offset
from .ratelimit import Rejection
from .render import dumpb
from .search import SEARCH_TYPES
from .urls import ROUTES, Match, resolve
from .user_responses import USER_ENDPOINTS

__all__ = [
    "HANDLERS",
    "JSON",
    "ApiError",
    "Request",
    "Response",
    "error_body",
    "handle",
    "json_response",
]

MAX_IDS = 20
SEARCH_MAX_OFFSET = 1000
FAULT_MESSAGES = {500: "Server error", 502: "Bad gateway", 503: "Service unavailable"}
NON_JSON_BODY = (
    b"<html><head><title>Upstream error</title></head>"
    b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>"
)


# -------------------------------------------------------------------- pipeline
def handle(backend: SpotifyBackend, req: Request) -> Response:
    """Answer one API or token request (never raises for client mistakes)."""
    match = resolve(ROUTES, req.method, req.path)
    endpoint = match.handler if match is not None else "unknown"
    if backend.latency_ms > 0:
        time.sleep(backend.latency_ms / 1000.0)
    hostile = backend.hostile
    if hostile.status_for is not None and req.path.startswith(hostile.status_for):
        resp = ApiError(hostile.status_code, hostile.status_message()).response()
    elif match is None:
        resp = ApiError(404, "Service not found").response()
    elif endpoint == "token":
        resp = _token_pipeline(backend, req, match)
    elif endpoint == "authorize":
        resp = authorize_page(backend, req) if match.allowed else _not_allowed()
    else:
        resp = _api_pipeline(backend, req, match)
    resp.endpoint = endpoint
    resp.trickle_ms = hostile.trickle_ms
    return _encode(resp, req.headers.get("accept-encoding"))


def _encode(resp: Response, accept_encoding: str | None) -> Response:
    """gzip a JSON body for a client that accepts it, as the real API does."""
    is_json = (resp.content_type or "").startswith("application/json")
    if resp.body and is_json and accepts_gzip(accept_encoding):
        resp.body = gzip_bytes(resp.body)
        resp.headers.append(("Content-Encoding", "gzip"))
    return resp


def _fault_response(kind: str) -> Response:
    status = STATUS_FAULTS[kind]
    return Response(status, error_body(status, FAULT_MESSAGES[status]), fault=kind)


def _apply_wire_fault(resp: Response, fault: str | None) -> Response:
    if fault == "non_json":
        return Response(200, NON_JSON_BODY, content_type="text/html; charset=utf-8", fault=fault)
    resp.fault = fault
    return resp


def _not_allowed() -> Response:
    return ApiError(405, "Method not allowed").response()


def _token_pipeline(backend: SpotifyBackend, req: Request, match: Match) -> Response:
    fault = backend.faults.draw(is_token=True)
    if fault is not None and fault in STATUS_FAULTS:
        return _fault_response(fault)
    if not match.allowed:
        return ApiError(405, "Method not allowed").response()
    # A faulted response never reaches the client whole: do not issue a token for it.
    resp = token(backend, req, issue=fault is None)
    return _apply_wire_fault(resp, fault)


def _api_pipeline(backend: SpotifyBackend, req: Request, match: Match) -> Response:
    rejection = backend.limiter.check()
    if rejection is not None:
        raw = backend.hostile.retry_after_raw if rejection.scripted else None
        return too_many_requests(rejection, raw)
    fault = backend.faults.draw(is_token=False)
    if fault is not None and fault in STATUS_FAULTS:
        return _fault_response(fault)
    try:
        bearer = authorize(backend, req.headers.get("authorization"))
        if not match.allowed:
            raise ApiError(405, "Method not allowed")
        if backend.is_forbidden(match.handler):
            raise ApiError(403, "Forbidden")
        query = dict(parse_qsl(req.query, keep_blank_values=True))
        user_endpoint = USER_ENDPOINTS.get(match.handler)
        if user_endpoint is not None:
            resp = user_endpoint.serve(backend, backend.tokens.grant(bearer), query, match.params)
        else:
            resp = HANDLERS[match.handler](backend, query, match.params)
    except ApiError as exc:
        resp = exc.response()
    return _apply_wire_fault(resp, fault)


# ------------------------------------------------------------------ auth, 429
def authorize(backend: SpotifyBackend, header: str | None) -> str:
    """The bearer token; raise the 400/401 Spotify sends for a missing, bad or expired one."""
    if not header or not header.strip():
        raise ApiError(401, tokens.NO_TOKEN, [("WWW-Authenticate", 'Bearer realm="spotify"')])
    scheme, _, bearer = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise ApiError(400, "Only valid bearer authentication supported")
    bearer = bearer.strip()
    if not bearer:
        raise ApiError(401, tokens.NO_TOKEN, [("WWW-Authenticate", 'Bearer realm="spotify"')])
    problem = backend.tokens.problem(bearer)
    if problem is not None:
        challenge = f'Bearer realm="spotify", error="invalid_token", error_description="{problem}"'
        raise ApiError(401, problem, [("WWW-Authenticate", challenge)])
    return bearer


def too_many_requests(rejection: Rejection, raw_retry_after: str | None = None) -> Response:
    """The 429 in the configured variant; ``raw_retry_after`` replaces the header's value."""
    headers = []
    if rejection.variant != "no_header":
        value = str(rejection.retry_after) if raw_retry_after is None else raw_retry_after
        headers.append(("Retry-After", value))
    if rejection.variant == "empty":
        return Response(429, b"", content_type=None, headers=headers)
    if rejection.variant == "quota":
        body = dumpb(
            {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
        )
    else:
        body = error_body(429, "API rate limit exceeded")
    return Response(429, body, headers=headers)


# ----------------------------------------------------------------- token
def token(backend: SpotifyBackend, req: Request, issue: bool = True) -> Response:
    """POST /api/token: client credentials here, the user grants in oauth_responses."""
    form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    grant = form.get("grant_type")
    if not grant:
        return oauth_error("unsupported_grant_type", "grant_type parameter is missing")
    if grant != "client_credentials" and grant not in USER_GRANTS:
        return oauth_error(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )
    client = read_client(req, form)
    if isinstance(client, Response):
        return client
    if grant != "client_credentials":
        return user_grant(backend, grant, form, client, issue)
    if client.client_id != backend.options.client_id:
        return oauth_error("invalid_client", "Invalid client")
    if client.secret != backend.options.client_secret:
        return oauth_error("invalid_client", "Invalid client secret")
    issued = backend.tokens.issue() if issue else backend.tokens.throwaway()
    body = {"access_token": issued, "token_type": "Bearer", "expires_in": backend.tokens.expires_in}
    return Response(200, dumpb(body), content_type="application/json")


# ------------------------------------------------------------------ endpoints
def new_releases(backend: SpotifyBackend, params: Query, _: PathParams) -> Response:
    """GET /v1/browse/new-releases: curated list, unavailable albums still listed.

    ``country`` is accepted and echoed in the paging URLs; the emulator has one
    curated list for every country.
    """
    limit = _limit(params, 20, 50)
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
    if len(ids) > MAX_IDS:
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
    limit = _limit(params, 20, 50)
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
    limit = _limit(params, 5, 10)
    offset = _offset(params, SEARCH_MAX_OFFSET)
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
            max_offset=SEARCH_MAX_OFFSET,
        )
        parts.append(dumpb(kind + "s") + b":" + body)
    return Response(200, b"{" + b",".join(parts) + b"}")


def not_emulated(backend: SpotifyBackend, params: Query, _: PathParams) -> Response:
    """A real endpoint the emulator does not serve (only its 403 in development)."""
    raise ApiError(404, "Service not found")


Handler = Callable[[SpotifyBackend, Query, PathParams], Response]

#: Handlers by the names urls.py routes to (``token`` has its own pipeline).
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
