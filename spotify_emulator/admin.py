"""``/_emulator/*``: stats and runtime controls over HTTP, for out-of-process use.

These requests are never counted, rate limited or faulted. Controls take their
arguments as query parameters (``POST /_emulator/script_429?after=3&retry_after=60``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .backend import SpotifyBackend
from .responses import Request, Response, json_response


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
    if "retry_after" in p:
        changes["retry_after"] = _get(p, "retry_after", int, None)
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
    )
    return {"id": album_id}


def _make_unavailable(backend: SpotifyBackend, p: Mapping[str, str]) -> Any:
    try:
        backend.make_unavailable(p.get("id", ""))
    except KeyError as exc:
        raise _BadArgument(f"unknown album id {p.get('id')!r}") from exc
    return {"unavailable": p["id"]}


_ROUTES: dict[tuple[str, str], Callable[[SpotifyBackend, Mapping[str, str]], Any]] = {
    ("GET", "/_emulator/stats"): lambda b, _: b.stats(),
    ("GET", "/_emulator/catalog"): _catalog,
    ("POST", "/_emulator/reset"): _reset,
    ("POST", "/_emulator/script_429"): _script_429,
    ("POST", "/_emulator/expire_tokens"): _expire,
    ("POST", "/_emulator/faults"): _faults,
    ("POST", "/_emulator/rate_limit"): _rate_limit,
    ("POST", "/_emulator/add_album"): _add_album,
    ("POST", "/_emulator/make_unavailable"): _make_unavailable,
}


def handle_admin(backend: SpotifyBackend, req: Request) -> Response:
    """Serve one admin request; bad arguments give 400 with a readable message."""
    path = req.path.rstrip("/")
    action = _ROUTES.get((req.method, path))
    if action is None:
        known = sorted(f"{m} {p}" for m, p in _ROUTES)
        return json_response({"error": f"unknown admin route; known: {known}"}, 404)
    params = dict(parse_qsl(req.query, keep_blank_values=True))
    try:
        return json_response(action(backend, params))
    except (ValueError, TypeError) as exc:
        return json_response({"error": str(exc)}, 400)
