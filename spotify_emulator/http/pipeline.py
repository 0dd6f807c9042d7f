"""From a parsed request to a Response: the order in which Spotify (and the emulator's
switches) get to answer.

Routes are in routes.py; the handlers in catalog/handlers.py, user/handlers.py,
user/authorize.py and token.py; server.py moves the bytes. An API request
(``/v1/...``) passes, in this order: latency -> hostile answers (redirect_for,
status_for, gzip_bomb_for) -> scripted 429 -> rolling-window 429 -> fault draw ->
auth (401/400) -> method (405) -> tier (403) -> allowlist (403, development) -> user
endpoints: a user token (401) and its scope (403) -> parameters (400) -> lookup (404)
-> 200, then hostile shapes, then gzip when the client accepts it. The token
endpoint gets latency, hostile answers and shapes, and (unless disabled) faults,
never 429s; /authorize gets latency and hostile answers only. ``/_emulator/*``
(admin.py) is served outside all of it: not counted, faulted or limited.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

from ..backend import SpotifyBackend
from ..catalog.handlers import HANDLERS
from ..user.authorize import authorize as authorize_page
from ..user.handlers import NOT_ON_ALLOWLIST, USER_ENDPOINTS
from . import tokens
from .compression import accepts_gzip, gzip_bomb, gzip_bytes
from .faults import STATUS_FAULTS
from .hostile import Hostile, applies
from .messages import ApiError, Request, Response, dumpb, error_body, text_response
from .ratelimit import Rejection
from .reshape import reshape
from .routes import ROUTES, Match, resolve
from .token import token

_GZIP = ("Content-Encoding", "gzip")
FAULT_MESSAGES = {500: "Server error", 502: "Bad gateway", 503: "Service unavailable"}
NON_JSON_BODY = (
    b"<html><head><title>Upstream error</title></head>"
    b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>"
)


def handle(backend: SpotifyBackend, req: Request) -> Response:
    """Answer one API, token or /authorize request (never raises for client mistakes)."""
    match = resolve(ROUTES, req.method, req.path)
    endpoint = match.handler if match is not None else "unknown"
    if backend.latency_ms > 0:
        time.sleep(backend.latency_ms / 1000.0)
    hostile = backend.hostile
    resp = _hostile_answer(hostile, req) or _real_answer(backend, req, match)
    if hostile.shape and resp.status == 200 and applies(hostile.shape_for, req.path):
        _reshape(resp, hostile)
    resp.endpoint = endpoint
    resp.trickle_ms = hostile.trickle_ms
    resp.trickle_headers = hostile.trickle_headers
    return _encode(resp, req.headers.get("accept-encoding"))


def _real_answer(backend: SpotifyBackend, req: Request, match: Match | None) -> Response:
    if match is None:
        return ApiError(404, "Service not found").response()
    if match.handler == "token":
        return _token_pipeline(backend, req, match)
    if match.handler == "authorize":
        return authorize_page(backend, req) if match.allowed else _not_allowed()
    return _api_pipeline(backend, req, match)


def _hostile_answer(hostile: Hostile, req: Request) -> Response | None:
    """The answer a hostile switch gives instead of the real one, if any applies."""
    if applies(hostile.redirect_for, req.path):
        target = req.path + (f"?{req.query}" if req.query else "")
        location = (hostile.redirect_to or "").rstrip("/") + target
        return Response(hostile.redirect_code, b"", None, [("Location", location)])
    if applies(hostile.status_for, req.path):
        message = hostile.status_message_for(req.headers.get("authorization", ""))
        return ApiError(hostile.status_code, message).response()
    if applies(hostile.gzip_bomb_for, req.path):
        return Response(200, gzip_bomb(hostile.gzip_bomb_bytes), headers=[_GZIP])
    return None


def _reshape(resp: Response, hostile: Hostile) -> None:
    """Bend a JSON 200 answer by the hostile ``shape`` names (see reshape.py)."""
    is_json = (resp.content_type or "").startswith("application/json")
    if not is_json or not resp.body or _GZIP in resp.headers:
        return
    try:
        body = json.loads(resp.body)
    except ValueError:
        return  # a wire fault already spoilt it
    resp.body = dumpb(reshape(body, hostile.shape))


def _encode(resp: Response, accept_encoding: str | None) -> Response:
    """gzip a JSON body for a client that accepts it, as the real API does."""
    is_json = (resp.content_type or "").startswith("application/json")
    if resp.body and is_json and _GZIP not in resp.headers and accepts_gzip(accept_encoding):
        resp.body = gzip_bytes(resp.body)
        resp.headers.append(_GZIP)
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
        return _not_allowed()
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
        bearer = authenticate(backend, req.headers.get("authorization"))
        if not match.allowed:
            raise ApiError(405, "Method not allowed")
        if backend.is_forbidden(match.handler):
            raise ApiError(403, "Forbidden")
        grant = backend.tokens.grant(bearer)
        if grant.user_id is not None and not backend.serves(grant.user_id):
            return _apply_wire_fault(text_response(403, NOT_ON_ALLOWLIST), fault)
        query = dict(parse_qsl(req.query, keep_blank_values=True))
        user_endpoint = USER_ENDPOINTS.get(match.handler)
        if user_endpoint is not None:
            resp = user_endpoint.serve(backend, grant, query, match.params)
        else:
            resp = HANDLERS[match.handler](backend, query, match.params)
    except ApiError as exc:
        resp = exc.response()
    return _apply_wire_fault(resp, fault)


def authenticate(backend: SpotifyBackend, header: str | None) -> str:
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
