"""``/_emulator/user*``: the user side's admin calls over HTTP (``backend.users`` in process).

Arguments are query parameters (``POST /_emulator/user/play?count=7``); bad ones
raise ValueError, which admin.py answers with 400.  Routes are in urls.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .backend import SpotifyBackend

Params = Mapping[str, str]


def _count(params: Params) -> int:
    raw = params.get("count", "1")
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"bad count: {raw!r}") from None


def _summary(backend: SpotifyBackend, _: Params) -> Any:
    return backend.users.summary()


def _play(backend: SpotifyBackend, p: Params) -> Any:
    return {"played_at": backend.users.play(_count(p))}


def _save_tracks(backend: SpotifyBackend, p: Params) -> Any:
    return {"saved": backend.users.save_tracks(_count(p))}


def _save_albums(backend: SpotifyBackend, p: Params) -> Any:
    return {"saved": backend.users.save_albums(_count(p))}


def _follow(backend: SpotifyBackend, p: Params) -> Any:
    return {"followed": backend.users.follow(_count(p))}


def _edit_playlist(backend: SpotifyBackend, p: Params) -> Any:
    playlist_id = backend.users.edit_playlist(p.get("id") or None)
    found = backend.users.playlist(playlist_id)
    return {"id": playlist_id, "snapshot_id": found.snapshot_id if found else None}


def _revoke(backend: SpotifyBackend, _: Params) -> Any:
    return {"revoked": backend.users.revoke()}


def _age_consent(backend: SpotifyBackend, p: Params) -> Any:
    raw = p.get("days", "")
    try:
        days = float(raw)
    except ValueError:
        raise ValueError(f"bad days: {raw!r}") from None
    backend.users.age_consent(days)
    return {"consent_date": backend.users.summary()["consent_date"]}


def _consent(backend: SpotifyBackend, p: Params) -> Any:
    backend.users.consent = p.get("answer", "")
    return {"consent": backend.users.consent}


def _settings(backend: SpotifyBackend, p: Params) -> Any:
    """``rotate_refresh_tokens=1|0`` and ``playlist_item_keys=item,track|item|track``."""
    users = backend.users
    unknown = set(p) - {"rotate_refresh_tokens", "playlist_item_keys"}
    if unknown:
        raise ValueError(f"unknown user settings {sorted(unknown)}")
    if "rotate_refresh_tokens" in p:
        raw = p["rotate_refresh_tokens"].lower()
        if raw not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(f"bad rotate_refresh_tokens: {raw!r}")
        users.rotate_refresh_tokens = raw in ("1", "true", "yes", "on")
    if "playlist_item_keys" in p:
        users.playlist_item_keys = tuple(k for k in p["playlist_item_keys"].split(",") if k)
    return {
        "rotate_refresh_tokens": users.rotate_refresh_tokens,
        "playlist_item_keys": list(users.playlist_item_keys),
    }


#: Handlers by the names ADMIN_URLS routes to.
USER_ADMIN_HANDLERS: dict[str, Callable[[SpotifyBackend, Params], Any]] = {
    "user_summary": _summary,
    "user_play": _play,
    "user_save_tracks": _save_tracks,
    "user_save_albums": _save_albums,
    "user_follow": _follow,
    "user_edit_playlist": _edit_playlist,
    "user_revoke": _revoke,
    "user_age_consent": _age_consent,
    "user_consent": _consent,
    "user_settings": _settings,
}
