"""``/_emulator/user*``: the user side's admin calls over HTTP (``backend.users`` in process).

Arguments are query parameters (``POST /_emulator/user/play?user=alice&count=7``);
``user`` names the listener (default: the default listener, ``listener``). Bad
arguments raise ValueError, which http/admin.py answers with 400. Routes are in
http/routes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..backend import SpotifyBackend
from ..fields import arg, parse_bool

Params = Mapping[str, str]


def _count(params: Params) -> int:
    return int(arg(params, "count", int, 1))


def _user(params: Params) -> str | None:
    return params.get("user") or None


def _ids(params: Params) -> tuple[str, ...]:
    return tuple(i for i in params.get("ids", "").split(",") if i)


def _summary(backend: SpotifyBackend, p: Params) -> Any:
    return backend.users.summary(_user(p))


def _household(backend: SpotifyBackend, _: Params) -> Any:
    return {"listeners": backend.users.household()}


def _sign_in(backend: SpotifyBackend, p: Params) -> Any:
    """Who the next /authorize visits sign in as (default: the default listener)."""
    backend.users.sign_in(_user(p) or backend.users.default_user)
    return {"signed_in": backend.users.signed_in}


def _allowlist(backend: SpotifyBackend, p: Params) -> Any:
    """``users=listener,alice``; ``users=all`` (or no parameter): every listener."""
    raw = p.get("users", "all")
    backend.users.set_allowlist(None if raw == "all" else [u for u in raw.split(",") if u])
    return {"allowlist": list(backend.users.allowlist)}


def _play(backend: SpotifyBackend, p: Params) -> Any:
    return {"played_at": backend.users.play(_count(p), _user(p))}


def _save(kind: str) -> Callable[[SpotifyBackend, Params], Any]:
    def save(backend: SpotifyBackend, p: Params) -> Any:
        users = backend.users
        saver = users.save_tracks if kind == "tracks" else users.save_albums
        return {"saved": saver(_count(p), _user(p), added_at=p.get("added_at"))}

    return save


def _remove(kind: str, key: str) -> Callable[[SpotifyBackend, Params], Any]:
    def remove(backend: SpotifyBackend, p: Params) -> Any:
        removed = backend.users.remove(
            kind, _ids(p), _count(p), int(arg(p, "offset", int, 0)), _user(p)
        )
        return {key: removed}

    return remove


def _follow(backend: SpotifyBackend, p: Params) -> Any:
    return {"followed": backend.users.follow(_count(p), _user(p))}


def _edit_playlist(backend: SpotifyBackend, p: Params) -> Any:
    users = backend.users
    playlist_id = users.edit_playlist(p.get("id") or None, _user(p), p.get("entry", "track"))
    found = users.playlist(playlist_id)
    return {"id": playlist_id, "snapshot_id": found.snapshot_id if found else None}


def _revoke(backend: SpotifyBackend, p: Params) -> Any:
    return {"revoked": backend.users.revoke(_user(p))}


def _age_consent(backend: SpotifyBackend, p: Params) -> Any:
    days = arg(p, "days", float, None)
    if days is None:
        raise ValueError("days is required")
    backend.users.age_consent(days, _user(p))
    return {"consent_date": backend.users.summary(_user(p))["consent_date"]}


def _consent(backend: SpotifyBackend, p: Params) -> Any:
    backend.users.consent = p.get("answer", "")
    return {"consent": backend.users.consent}


def _settings(backend: SpotifyBackend, p: Params) -> Any:
    """``rotate_refresh_tokens=1|0`` and ``playlist_item_keys=item,track|item|track``:
    the app's, so the same for every listener."""
    users = backend.users
    unknown = set(p) - {"rotate_refresh_tokens", "playlist_item_keys"}
    if unknown:
        raise ValueError(f"unknown user settings {sorted(unknown)}")
    if "rotate_refresh_tokens" in p:
        users.rotate_refresh_tokens = arg(p, "rotate_refresh_tokens", parse_bool, False)
    if "playlist_item_keys" in p:
        users.playlist_item_keys = tuple(k for k in p["playlist_item_keys"].split(",") if k)
    return {
        "rotate_refresh_tokens": users.rotate_refresh_tokens,
        "playlist_item_keys": list(users.playlist_item_keys),
    }


#: Handlers by the names http/routes.py routes to.
USER_ADMIN_HANDLERS: dict[str, Callable[[SpotifyBackend, Params], Any]] = {
    "user_summary": _summary,
    "user_household": _household,
    "user_sign_in": _sign_in,
    "user_allowlist": _allowlist,
    "user_play": _play,
    "user_save_tracks": _save("tracks"),
    "user_save_albums": _save("albums"),
    "user_unsave_tracks": _remove("tracks", "unsaved"),
    "user_unsave_albums": _remove("albums", "unsaved"),
    "user_follow": _follow,
    "user_unfollow": _remove("artists", "unfollowed"),
    "user_edit_playlist": _edit_playlist,
    "user_revoke": _revoke,
    "user_age_consent": _age_consent,
    "user_consent": _consent,
    "user_settings": _settings,
}
