"""``/_emulator/*``: stats and runtime controls over HTTP, for out-of-process use.

These requests are never counted, rate limited, faulted or made hostile. Controls
take their arguments as query parameters
(``POST /_emulator/script_429?after=3&retry_after=60``). Routes are in urls.py
(``ADMIN_URLS``), handlers here in ``ADMIN_HANDLERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .backend import SpotifyBackend
from .hostile import HOSTILE_FIELDS
from .responses import Request, Response, json_response
from .urls import ADMIN_URLS, describe, resolve
from .user_admin import USER_ADMIN_HANDLERS


class _BadArgument(ValueError):
    pass


def _get(params: Mapping[str, str], name: str, cast: Callable[[str], Any], default: Any) -> Any:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        raise _BadArgument(f"bad {name}: {raw!r}") from exc


def _optional_int(raw: str) -> int | None:
    return None if raw.lower() in ("", "none", "null", "off") else int(raw)


def _optional_str(raw: str) -> str | None:
    return None if raw.lower() in ("none", "null") else raw


def _bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _catalog(backend: SpotifyBackend, _: Mapping[str, str]) -> Any:
    catalog = backend.catalog
    return {
        "today": catalog.today.isoformat(),
        "new_releases": list(catalog.new_release_ids),
        "tag_new": backend.tag_new_albums(),
        "albums": {
            a.id: {
                "name": a.name,
                "album_type": a.album_type,
                "total_tracks": a.total_tracks,
                "release_date": a.release_date,
                "release_date_precision": a.release_date_precision,
                "available": a.available,
            }
            for a in catalog.albums.values()
        },
    }


def _reset(backend: SpotifyBackend, _: Mapping[str, str]) -> Any:
    backend.reset_stats()
    return {"reset": True}


def _script_429(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    backend.script_429(
        retry_after=_get(p, "retry_after", int, 86400),
        after=_get(p, "after", int, 0),
        variant=p.get("variant", "classic"),
    )
    return {"scripted": True}


def _expire(backend: SpotifyBackend, _: Mapping[str, str]) -> Any:
    backend.expire_tokens()
    return {"expired": True}


def _faults(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    changes: dict[str, Any] = {}
    if "fault_rate" in p:
        changes["fault_rate"] = _get(p, "fault_rate", float, None)
    if "fault_kinds" in p:
        changes["fault_kinds"] = tuple(k for k in p["fault_kinds"].split(",") if k)
    if "fault_seed" in p:
        changes["fault_seed"] = _get(p, "fault_seed", int, None)
    if "faults_on_token" in p:
        changes["faults_on_token"] = _get(p, "faults_on_token", _bool, None)
    if "latency_ms" in p:
        changes["latency_ms"] = _get(p, "latency_ms", float, None)
    backend.set_faults(**changes)
    return {"faults": True}


def _rate_limit(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    changes: dict[str, Any] = {}
    if "rate_limit" in p:
        changes["rate_limit"] = _get(p, "rate_limit", _optional_int, None)
    if "rate_limit_window" in p:
        changes["rate_limit_window"] = _get(p, "rate_limit_window", float, None)
    if "retry_after" in p:  # a number of seconds, or none: computed from the window
        changes["retry_after"] = _get(p, "retry_after", _optional_int, None)
    if "rate_limit_variant" in p:
        changes["rate_limit_variant"] = p["rate_limit_variant"]
    backend.set_rate_limit(**changes)
    return {"rate_limit": True}


def _add_album(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    album_id = backend.add_album(
        release_date=p.get("release_date"),
        precision=p.get("precision", "day"),
        tracks=_get(p, "tracks", int, 12),
        list_first=_get(p, "list_first", _bool, True),
        listed=_get(p, "listed", _bool, True),
        name=p.get("name"),
        position=_get(p, "position", int, None),
    )
    return {"id": album_id}


#: How each hostile setting is read from a query parameter.
_HOSTILE_CASTS: dict[str, Callable[[str], Any]] = {
    "next_base": _optional_str,
    "loop_next": _bool,
    "total": _optional_int,
    "ignore_offset": _bool,
    "trickle_ms": float,
    "retry_after_raw": _optional_str,
    "status_for": _optional_str,
    "status_code": int,
}


def _hostile(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    """Change the named hostile settings; with no parameters turn them all off."""
    unknown = set(p) - set(HOSTILE_FIELDS)
    if unknown:
        raise _BadArgument(f"unknown hostile settings {sorted(unknown)}; known: {HOSTILE_FIELDS}")
    backend.set_hostile(**{name: _get(p, name, _HOSTILE_CASTS[name], None) for name in p})
    return {"hostile": backend.hostile.as_dict()}


def _make_unavailable(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    try:
        backend.make_unavailable(p.get("id", ""))
    except KeyError as exc:
        raise _BadArgument(f"unknown album id {p.get('id')!r}") from exc
    return {"unavailable": p["id"]}


#: Handlers by the names ADMIN_URLS routes to.
ADMIN_HANDLERS: dict[str, Callable[[SpotifyBackend, Mapping[str, str]], Any]] = {
    "stats": lambda b, _: b.stats(),
    "catalog": _catalog,
    "reset": _reset,
    "script_429": _script_429,
    "expire_tokens": _expire,
    "faults": _faults,
    "rate_limit": _rate_limit,
    "hostile": _hostile,
    "add_album": _add_album,
    "make_unavailable": _make_unavailable,
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
