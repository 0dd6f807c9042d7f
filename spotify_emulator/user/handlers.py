"""The user endpoints (``/v1/me*``, playlists and their items) and the scope each needs.

The pipeline (http/pipeline.py) runs these after authentication, the method check,
the tier's 403s and the allowlist; ``UserEndpoint.serve`` adds what user data needs:
a token that speaks for a user (a client-credentials token gets 401 ``Unauthorized.``)
and the endpoint's scope (else 403 ``Insufficient client scope``). Routes are in
http/routes.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from tap_spotify.spotify import READABLE_PLAYS, TIME_RANGES

from ..backend import SpotifyBackend
from ..catalog.model import is_valid_id
from ..http.messages import ApiError, Response, dumpb, raw_list, raw_object
from ..http.params import PathParams, Query, int_param, limit_param, market_param, offset_param
from ..http.tokens import TokenGrant
from .model import Library, Play, Playlist, Saved
from .render import UserRenderer

#: What /v1/me answers a token with no user behind it (client credentials).
NO_USER = "Unauthorized."
INSUFFICIENT_SCOPE = "Insufficient client scope"
#: What a Development Mode app gets for a user missing from its allowlist, on every
#: request with that user's token. Not in Spotify's documentation: quoted from client
#: libraries' reports (jwilsson/spotify-web-api-php #235 and #260, spotipy #1044,
#: your_spotify #207), whose traces show a 403 with this text as a plain, non-JSON body.
NOT_ON_ALLOWLIST = "User not registered in the Developer Dashboard"
#: The removed /playlists/{id}/tracks took 100 a page (Spotify's OpenAPI description).
PLAYLIST_TRACKS_MAX_LIMIT = 100


@dataclasses.dataclass(frozen=True)
class Caller:
    """The user a request speaks for, their library and the scopes they granted."""

    library: Library
    scopes: frozenset[str]

    @property
    def user_id(self) -> str:
        return self.library.user.id


UserHandler = Callable[[SpotifyBackend, Caller, Query, PathParams], Response]


@dataclasses.dataclass(frozen=True)
class UserEndpoint:
    scope: str
    handler: UserHandler

    def serve(
        self, backend: SpotifyBackend, grant: TokenGrant, query: Query, path: PathParams
    ) -> Response:
        if grant.user_id is None:
            raise ApiError(401, NO_USER, [("WWW-Authenticate", 'Bearer realm="spotify"')])
        if self.scope not in grant.scopes:
            raise ApiError(403, INSUFFICIENT_SCOPE)
        caller = Caller(backend.users.library(grant.user_id), grant.scopes)
        return self.handler(backend, caller, query, path)


def _render(backend: SpotifyBackend) -> UserRenderer:
    return backend.users.renderer(backend.renderer)


def _market(caller: Caller, params: Query) -> str | None:
    """``market``, where ``from_token`` means the user's country."""
    if params.get("market") == "from_token":
        return caller.library.user.country
    return market_param(params)


# --------------------------------------------------------------------- profile
def me(backend: SpotifyBackend, caller: Caller, _: Query, __: PathParams) -> Response:
    """GET /v1/me: the profile; ``email`` needs user-read-email."""
    body = _render(backend).private_user(
        caller.library.user, email="user-read-email" in caller.scopes
    )
    return Response(200, body)


# --------------------------------------------------------------- recently played
def _cursor(params: Query, name: str) -> int | None:
    if name not in params:
        return None
    return int_param(params, name, 0, 0, None, f"Invalid {name} parameter")


def recently_played(
    backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams
) -> Response:
    """GET /v1/me/player/recently-played: newest first, only the newest 50 plays readable.

    ``after`` gives the newest plays strictly after it, ``before`` those strictly
    before it (unix ms, not both).  ``next`` follows ``before`` from a full page.
    """
    limit = limit_param(params, 20)
    after = _cursor(params, "after")
    before = _cursor(params, "before")
    if after is not None and before is not None:
        raise ApiError(400, "Only one of after and before may be given")
    window: list[Play] = caller.library.plays[:READABLE_PLAYS]
    if after is not None and not backend.hostile.ignore_after:
        window = [p for p in window if p.played_at > after]
    elif before is not None:
        window = [p for p in window if p.played_at < before]
    page = window[:limit]
    base = f"{backend.renderer.api}/me/player/recently-played"
    if after is not None:
        href = f"{base}?after={after}&limit={limit}"
    elif before is not None:
        href = f"{base}?before={before}&limit={limit}"
    else:
        href = f"{base}?limit={limit}"
    cursors: dict[str, str | None] | None = None
    nxt = None
    if page:
        cursors = {"after": str(page[0].played_at), "before": str(page[-1].played_at)}
        if len(page) == limit:
            nxt = f"{base}?before={page[-1].played_at}&limit={limit}"
    render = _render(backend)
    items = [render.play(p) for p in page]
    return Response(200, _cursor_page(cursors, href, items, limit, nxt))


# -------------------------------------------------------------------- top items
def _top(kind: str) -> UserHandler:
    def top(backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams) -> Response:
        raw_range = params.get("time_range")
        time_range = raw_range or "medium_term"
        if time_range not in TIME_RANGES:
            raise ApiError(400, "Invalid time range")
        limit = limit_param(params, 20)
        offset = offset_param(params)
        render = _render(backend)
        base = backend.renderer
        if kind == "tracks":
            refs = caller.library.top_tracks[time_range]
            items = [render.full_track(r, None) for r in base.window(refs, offset, limit)]
            total = len(refs)
        else:
            artists = caller.library.top_artists[time_range]
            items = [render.full_artist(a) for a in base.window(artists, offset, limit)]
            total = len(artists)
        body = base.page(
            f"/me/top/{kind}",
            items,
            offset=offset,
            limit=limit,
            total=total,
            before=f"time_range={raw_range}" if raw_range else "",
        )
        return Response(200, body)

    top.__doc__ = f"GET /v1/me/top/{kind}: a paging object, a different list per time_range."
    return top


# ---------------------------------------------------------------------- library
def _saved(kind: str) -> UserHandler:
    def saved(backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams) -> Response:
        limit = limit_param(params, 20)
        offset = offset_param(params)
        market = _market(caller, params)
        render = _render(backend)
        lib = caller.library
        entries: Sequence[Saved[Any]] = lib.saved_tracks if kind == "tracks" else lib.saved_albums
        page = backend.renderer.window(entries, offset, limit)
        body = backend.renderer.page(
            f"/me/{kind}",
            [render.saved(s, market) for s in page],
            offset=offset,
            limit=limit,
            total=len(entries),
            after=f"market={market}" if market else "",
        )
        return Response(200, body)

    saved.__doc__ = (
        f"GET /v1/me/{kind}: ``added_at`` and the {kind[:-1]}, in save order (newest save "
        "first; a pre-save's ``added_at`` is its release, out of that order)."
    )
    return saved


def followed_artists(
    backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams
) -> Response:
    """GET /v1/me/following?type=artist: cursor paged by the last artist id seen.

    Newest follow first; an ``after`` id the user does not follow gives an empty page.
    Hostile ``cursor_loop``: the first artists again, under a new cursor every time.
    """
    if params.get("type") != "artist":
        raise ApiError(400, "Only valid type is artist")
    limit = limit_param(params, 20)
    after = params.get("after")
    followed = caller.library.followed
    if backend.hostile.cursor_loop:
        page = followed[:limit]
        turn = after[4:] if after and after.startswith("loop") else ""
        last = f"loop{int(turn) + 1 if turn.isdigit() else 1}" if page else None
    else:
        ids = [a.id for a in followed]
        start = 0
        if after:
            start = ids.index(after) + 1 if after in ids else len(followed)
        page = followed[start : start + limit]
        more = start + limit < len(followed) and bool(page)
        last = page[-1].id if more else None
    base = f"{backend.renderer.api}/me/following?type=artist&limit={limit}"
    render = _render(backend)
    body = _cursor_page(
        {"after": last},
        f"{base}&after={after}" if after else base,
        [render.full_artist(a) for a in page],
        limit,
        f"{base}&after={last}" if last else None,
        total=len(followed),
    )
    return Response(200, b'{"artists":' + body + b"}")


def _cursor_page(
    cursors: dict[str, str | None] | None,
    href: str,
    items: Sequence[bytes],
    limit: int,
    nxt: str | None,
    total: int | None = None,
) -> bytes:
    """A cursor-based paging object around rendered items, keys in Spotify's order."""
    fields = [
        ("cursors", dumpb(cursors)),
        ("href", dumpb(href)),
        ("items", raw_list(items)),
        ("limit", dumpb(limit)),
        ("next", dumpb(nxt)),
    ]
    if total is not None:
        fields.append(("total", dumpb(total)))
    return raw_object(*fields)


# -------------------------------------------------------------------- playlists
def _visible(backend: SpotifyBackend, caller: Caller) -> list[Playlist]:
    """The user's playlists; collaborative ones only with playlist-read-collaborative."""
    collab = "playlist-read-collaborative" in caller.scopes
    out = []
    for playlist_id in caller.library.playlist_ids:
        playlist = backend.users.playlist(playlist_id)
        if playlist is not None and (collab or not playlist.collaborative):
            out.append(playlist)
    return out


def _playlist_page(
    backend: SpotifyBackend, caller: Caller, params: Query, playlists: list[Playlist]
) -> Response:
    limit = limit_param(params, 20)
    offset = offset_param(params, 100_000)
    render = _render(backend)
    items = [render.playlist(p) for p in backend.renderer.window(playlists, offset, limit)]
    # As recorded, the links of /me/playlists go to /users/{id}/playlists; that
    # endpoint is gone for Development Mode apps, so there they stay on /me/playlists.
    path = "/me/playlists" if backend.renderer.dev else f"/users/{caller.user_id}/playlists"
    body = backend.renderer.page(path, items, offset=offset, limit=limit, total=len(playlists))
    return Response(200, body)


def playlists(backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams) -> Response:
    """GET /v1/me/playlists: owned, collaborative and followed playlists."""
    return _playlist_page(backend, caller, params, _visible(backend, caller))


def user_playlists(
    backend: SpotifyBackend, caller: Caller, params: Query, path: PathParams
) -> Response:
    """GET /v1/users/{id}/playlists: the caller's own list, or another user's public
    playlists (among those the emulator knows).  Gone (403) for Development Mode apps."""
    user_id = path.get("user_id", "")
    if user_id == caller.user_id:
        found = _visible(backend, caller)
    else:
        found = [
            p for p in backend.users.data.playlists.values() if p.owner == user_id and p.public
        ]
    return _playlist_page(backend, caller, params, found)


def _items(kind: str) -> UserHandler:
    def items(backend: SpotifyBackend, caller: Caller, params: Query, path: PathParams) -> Response:
        playlist_id = path.get("playlist_id", "")
        if not is_valid_id(playlist_id):
            raise ApiError(400, "invalid id")
        cap = backend.options.playlist_items_max_limit
        limit = limit_param(params, 20, cap if kind == "items" else PLAYLIST_TRACKS_MAX_LIMIT)
        offset = offset_param(params)
        market = _market(caller, params)
        playlist = backend.users.playlist(playlist_id)
        if playlist is None:
            raise ApiError(404, "Resource not found")
        if backend.renderer.dev and not playlist.readable_by(caller.user_id):
            raise ApiError(403, "Forbidden")
        render = _render(backend)
        page = backend.renderer.window(playlist.items, offset, limit)
        body = backend.renderer.page(
            f"/playlists/{playlist.id}/{kind}",
            [render.playlist_item(i, market) for i in page],
            offset=offset,
            limit=limit,
            total=len(playlist.items),
            after=f"market={market}" if market else "",
        )
        return Response(200, body)

    items.__doc__ = (
        f"GET /v1/playlists/{{id}}/{kind}: entries in position order, ``null`` ones too; "
        "Development Mode apps get 403 for playlists the user neither owns nor "
        "collaborates on."
    )
    return items


#: The user endpoints by the names http/routes.py routes to, with the scope each needs.
USER_ENDPOINTS: dict[str, UserEndpoint] = {
    "me": UserEndpoint("user-read-private", me),
    "recently_played": UserEndpoint("user-read-recently-played", recently_played),
    "top_artists": UserEndpoint("user-top-read", _top("artists")),
    "top_tracks": UserEndpoint("user-top-read", _top("tracks")),
    "saved_tracks": UserEndpoint("user-library-read", _saved("tracks")),
    "saved_albums": UserEndpoint("user-library-read", _saved("albums")),
    "followed_artists": UserEndpoint("user-follow-read", followed_artists),
    "playlists": UserEndpoint("playlist-read-private", playlists),
    "user_playlists": UserEndpoint("playlist-read-private", user_playlists),
    "playlist_items": UserEndpoint("playlist-read-private", _items("items")),
    "playlist_tracks": UserEndpoint("playlist-read-private", _items("tracks")),
}
