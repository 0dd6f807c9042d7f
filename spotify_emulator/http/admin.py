"""``/_emulator/*``: stats and runtime controls over HTTP, for out-of-process use.

These requests are never counted, rate limited, faulted or made hostile. Controls
take their arguments as query parameters (``POST /_emulator/script_429?after=3``),
read by the type of the option they set (fields.py). Routes are in routes.py
(``ADMIN_URLS``); the catalog's and the user side's calls are in catalog/admin.py
and user/admin.py, the general ones here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from ..backend import SpotifyBackend
from ..catalog.admin import CATALOG_ADMIN_HANDLERS
from ..fields import arg, parse_fields
from ..options import EmulatorOptions
from ..user.admin import USER_ADMIN_HANDLERS
from .hostile import Hostile
from .messages import Request, Response, json_response
from .routes import ADMIN_URLS, describe, resolve

Params = Mapping[str, str]
FAULT_SETTINGS = ("fault_rate", "fault_kinds", "fault_seed", "faults_on_token", "latency_ms")
RATE_LIMIT_SETTINGS = ("rate_limit", "rate_limit_window", "retry_after", "rate_limit_variant")


def _options(p: Params, allowed: tuple[str, ...]) -> dict[str, Any]:
    """Some of the options' values from query parameters, by the options' types."""
    unknown = sorted(set(p) - set(allowed))
    if unknown:
        raise ValueError(f"unknown settings {unknown}; known: {list(allowed)}")
    return parse_fields(EmulatorOptions, p)


def _reset(backend: SpotifyBackend, _: Params) -> Any:
    backend.reset_stats()
    return {"reset": True}


def _script_429(backend: SpotifyBackend, p: Params) -> Any:
    backend.script_429(
        retry_after=arg(p, "retry_after", int, 86400),
        after=arg(p, "after", int, 0),
        variant=p.get("variant", "classic"),
    )
    return {"scripted": True}


def _expire(backend: SpotifyBackend, _: Params) -> Any:
    backend.expire_tokens()
    return {"expired": True}


def _faults(backend: SpotifyBackend, p: Params) -> Any:
    backend.set_faults(**_options(p, FAULT_SETTINGS))
    return {"faults": True}


def _rate_limit(backend: SpotifyBackend, p: Params) -> Any:
    backend.set_rate_limit(**_options(p, RATE_LIMIT_SETTINGS))
    return {"rate_limit": True}


def _hostile(backend: SpotifyBackend, p: Params) -> Any:
    """Change the named hostile settings; with no parameters turn them all off."""
    backend.set_hostile(**parse_fields(Hostile, p))
    return {"hostile": backend.hostile.as_dict()}


#: Handlers by the names ADMIN_URLS routes to.
ADMIN_HANDLERS: dict[str, Callable[[SpotifyBackend, Params], Any]] = {
    "stats": lambda b, _: b.stats(),
    "reset": _reset,
    "script_429": _script_429,
    "expire_tokens": _expire,
    "faults": _faults,
    "rate_limit": _rate_limit,
    "hostile": _hostile,
    **CATALOG_ADMIN_HANDLERS,
    **USER_ADMIN_HANDLERS,
}


def handle_admin(backend: SpotifyBackend, req: Request) -> Response:
    """Serve one admin request; bad arguments give 400 with a readable message."""
    match = resolve(ADMIN_URLS, req.method, req.path)
    if match is None or not match.allowed:
        known = describe(ADMIN_URLS)
        return json_response({"error": f"unknown admin route; known: {known}"}, 404)
    params = dict(parse_qsl(req.query, keep_blank_values=True))
    try:
        return json_response(ADMIN_HANDLERS[match.handler](backend, params))
    except (ValueError, TypeError) as exc:
        return json_response({"error": str(exc)}, 400)
