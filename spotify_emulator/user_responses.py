"""The user endpoints (``/v1/me*``, playlists and their items) and the scope each needs.

``responses.py`` runs these after authentication, the method check and the tier's
403s; ``UserEndpoint.serve`` adds what user data needs: a token that speaks for a
user (a client-credentials token gets 401 ``Unauthorized.``) and the endpoint's
scope (else 403 ``Insufficient client scope``).  Routes are in urls.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from .backend import SpotifyBackend
from .catalog import is_valid_id
from .messages import ApiError, Response
from .params import PathParams, Query, int_param, limit_param, market_param, offset_param
from .render import dumpb
from .tokens import TokenGrant
from .user_render import UserRenderer
from .users import READABLE_PLAYS, TIME_RANGES, Library, Play, Playlist

#: What /v1/me answers a token with no user behind it (client credentials).
NO_USER = "Unauthorized."
INSUFFICIENT_SCOPE = "Insufficient client scope"
PLAYLIST_ITEMS_MAX = 100


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


def _json_list(items: Sequence[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


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
    limit = limit_param(params, 20, 50)
    after = _cursor(params, "after")
    before = _cursor(params, "before")
    if after is not None and before is not None:
        raise ApiError(400, "Only one of after and before may be given")
    window: list[Play] = caller.library.plays[:READABLE_PLAYS]
    if after is not None:
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
    cursors = None
    nxt = None
    if page:
        cursors = {"after": str(page[0].played_at), "before": str(page[-1].played_at)}
        if len(page) == limit:
            nxt = f"{base}?before={page[-1].played_at}&limit={limit}"
    render = _render(backend)
    body = b"".join(
        (
            b'{"cursors":',
            dumpb(cursors),
            b',"href":',
            dumpb(href),
            b',"items":',
            _json_list([render.play(p) for p in page]),
            b',"limit":',
            str(limit).encode(),
            b',"next":',
            dumpb(nxt),
            b"}",
        )
    )
    return Response(200, body)


# -------------------------------------------------------------------- top items
def _top(kind: str) -> UserHandler:
    def top(backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams) -> Response:
        raw_range = params.get("time_range")
        time_range = raw_range or "medium_term"
        if time_range not in TIME_RANGES:
            raise ApiError(400, "Invalid time range")
        limit = limit_param(params, 20, 50)
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
def saved_tracks(backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams) -> Response:
    """GET /v1/me/tracks: ``{"added_at", "track"}``, newest first."""
    limit = limit_param(params, 20, 50)
    offset = offset_param(params)
    market = _market(caller, params)
    render = _render(backend)
    saved = caller.library.saved_tracks
    items = [render.saved_track(s, market) for s in backend.renderer.window(saved, offset, limit)]
    body = backend.renderer.page(
        "/me/tracks",
        items,
        offset=offset,
        limit=limit,
        total=len(saved),
        after=f"market={market}" if market else "",
    )
    return Response(200, body)


def saved_albums(backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams) -> Response:
    """GET /v1/me/albums: ``{"added_at", "album"}`` (full albums), newest first."""
    limit = limit_param(params, 20, 50)
    offset = offset_param(params)
    market = _market(caller, params)
    render = _render(backend)
    saved = caller.library.saved_albums
    items = [render.saved_album(s, market) for s in backend.renderer.window(saved, offset, limit)]
    body = backend.renderer.page(
        "/me/albums",
        items,
        offset=offset,
        limit=limit,
        total=len(saved),
        after=f"market={market}" if market else "",
    )
    return Response(200, body)


def followed_artists(
    backend: SpotifyBackend, caller: Caller, params: Query, _: PathParams
) -> Response:
    """GET /v1/me/following?type=artist: cursor paged by the last artist id seen.

    Newest follow first; an ``after`` id the user does not follow gives an empty page.
    """
    if params.get("type") != "artist":
        raise ApiError(400, "Only valid type is artist")
    limit = limit_param(params, 20, 50)
    after = params.get("after")
    followed = caller.library.followed
    start = 0
    if after:
        ids = [a.id for a in followed]
        start = ids.index(after) + 1 if after in ids else len(followed)
    page = followed[start : start + limit]
    base = f"{backend.renderer.api}/me/following?type=artist&limit={limit}"
    more = start + limit < len(followed) and bool(page)
    last = page[-1].id if more else None
    render = _render(backend)
    body = b"".join(
        (
            b'{"artists":{"cursors":',
            dumpb({"after": last}),
            b',"href":',
            dumpb(f"{base}&after={after}" if after else base),
            b',"items":',
            _json_list([render.full_artist(a) for a in page]),
            b',"limit":',
            str(limit).encode(),
            b',"next":',
            dumpb(f"{base}&after={last}" if last else None),
            b',"total":',
            str(len(followed)).encode(),
            b"}}",
        )
    )
    return Response(200, body)


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
    limit = limit_param(params, 20, 50)
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
        limit = limit_param(params, 20, PLAYLIST_ITEMS_MAX)
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
        f"GET /v1/playlists/{{id}}/{kind}: limit up to 100; Development Mode apps get 403 "
        "for playlists the user neither owns nor collaborates on."
    )
    return items


#: The user endpoints by the names urls.py routes to, with the scope each needs.
USER_ENDPOINTS: dict[str, UserEndpoint] = {
    "me": UserEndpoint("user-read-private", me),
    "recently_played": UserEndpoint("user-read-recently-played", recently_played),
    "top_artists": UserEndpoint("user-top-read", _top("artists")),
    "top_tracks": UserEndpoint("user-top-read", _top("tracks")),
    "saved_tracks": UserEndpoint("user-library-read", saved_tracks),
    "saved_albums": UserEndpoint("user-library-read", saved_albums),
    "followed_artists": UserEndpoint("user-follow-read", followed_artists),
    "playlists": UserEndpoint("playlist-read-private", playlists),
    "user_playlists": UserEndpoint("playlist-read-private", user_playlists),
    "playlist_items": UserEndpoint("playlist-read-private", _items("items")),
    "playlist_tracks": UserEndpoint("playlist-read-private", _items("tracks")),
}
