"""User-side objects as Spotify's JSON: the profile, full tracks and artists, plays,
saved items, playlists and their items.

Shapes follow the 2026 recordings (``recordings/user/``): full tracks embed their
simplified album and carry ``external_ids`` and ``popularity``; playlist items carry
``item`` and ``track`` (the 2026 rename, both sent during the transition) plus
``primary_color`` and ``video_thumbnail``, and their tracks the markers
``episode``/``track``.  Keys come out in alphabetical order, like the catalog's.
A playlist position may be a bare ``null``, or an entry whose ``item`` is null (a track
no longer available). Built on the catalog ``Renderer``, so origin, profile and
hostility are shared.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from ..catalog.markets import MARKETS
from ..catalog.model import Artist
from ..catalog.render import DEV_STRIPPED_TRACK_FIELDS, IMAGE_URL, OPEN_URL, Renderer
from ..http.messages import dumpb
from .generate import artist_facts, track_facts
from .model import (
    Context,
    Episode,
    LocalFile,
    Play,
    Playlist,
    Position,
    Saved,
    TrackRef,
    User,
    UserData,
    iso_ms,
    iso_s,
)

USER_IMAGES = (("ab6775700000ee85", 300), ("ab67757000003b82", 64))
ARTIST_IMAGES = (("ab6761610000e5eb", 640), ("ab67616100005174", 320), ("ab6761610000f178", 160))
EPISODE_IMAGES = (("ab6765630000ba8a", 640), ("ab67656300005f1f", 300), ("ab6765630000f68d", 64))
#: Playlist covers: one album cover (1-3 tracks), a mosaic of four, or an upload.
COVER_PREFIX = "ab67616d00001e02"
MOSAIC_URL = "https://mosaic.scdn.co/"
MOSAIC_SIZES = (640, 300, 60)
UPLOAD_URL = "https://image-cdn-ak.spotifycdn.com/image/ab67706c0000da84"
#: /me fields a Development Mode app no longer receives (README "User data").
DEV_STRIPPED_USER_FIELDS = ("country", "email", "explicit_content", "followers", "product")
#: Full-artist fields a Development Mode app no longer receives.
DEV_STRIPPED_ARTIST_FIELDS = ("followers", "genres", "popularity")
CACHE_ENTRIES = 50_000


def _images(key: str, sizes: tuple[tuple[str, int], ...]) -> list[dict[str, Any]]:
    return [{"height": s, "url": f"{IMAGE_URL}{p}{key}", "width": s} for p, s in sizes]


def _sorted(out: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(out.items()))


class UserRenderer:
    """Renders user objects for one catalog renderer and one choice of item keys."""

    def __init__(self, base: Renderer, data: UserData, item_keys: tuple[str, ...]) -> None:
        self.base = base
        self.api = base.api
        self.dev = base.dev
        self.users = data.users
        self.item_keys = item_keys
        self._tracks: dict[tuple[str, str | None, bool], bytes] = {}
        self._artists: dict[str, bytes] = {}

    # ------------------------------------------------------------------ people
    def _link(self, kind: str, object_id: str, path: str | None = None) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"{OPEN_URL}/{kind}/{object_id}"},
            "href": f"{self.api}/{path or kind + 's'}/{object_id}",
        }

    def user_ref(self, user_id: str) -> dict[str, Any]:
        """A playlist's ``added_by``: no display name."""
        return {
            **self._link("user", user_id),
            "id": user_id,
            "type": "user",
            "uri": f"spotify:user:{user_id}",
        }

    def owner(self, user_id: str) -> dict[str, Any]:
        """A playlist's ``owner``: the reference plus the display name."""
        known = self.users.get(user_id)
        return _sorted(
            {**self.user_ref(user_id), "display_name": known.display_name if known else None}
        )

    def private_user(self, user: User, *, email: bool) -> bytes:
        """GET /me; ``email`` only with the user-read-email scope."""
        out: dict[str, Any] = {
            **self._link("user", user.id),
            "account_id": user.account_id,
            "country": user.country,
            "display_name": user.display_name,
            "explicit_content": {"filter_enabled": user.explicit_filter, "filter_locked": False},
            "followers": {"href": None, "total": user.followers},
            "id": user.id,
            "images": _images(user.image_key, USER_IMAGES) if user.image_key else [],
            "product": user.product,
            "type": "user",
            "uri": f"spotify:user:{user.id}",
        }
        if email:
            out["email"] = user.email
        if self.dev:
            for name in DEV_STRIPPED_USER_FIELDS:
                out.pop(name, None)
        return dumpb(_sorted(out))

    # --------------------------------------------------------- tracks, artists
    def full_track_dict(
        self, ref: TrackRef, market: str | None, in_playlist: bool
    ) -> dict[str, Any]:
        """A full track: the simplified one plus album, external_ids and popularity."""
        out = self.base.track_dict(ref.track, market)
        out["album"] = self.base.album_dict(ref.album, market, full=False)
        isrc, popularity = track_facts(ref.track.id, ref.album.release_date[:4])
        out["external_ids"] = {"isrc": isrc}
        if not self.dev:
            out["popularity"] = popularity
        if in_playlist:
            out["episode"] = False
            out["track"] = True
        return _sorted(out)

    def full_track(self, ref: TrackRef, market: str | None, in_playlist: bool = False) -> bytes:
        key = (ref.track.id, market, in_playlist)
        cached = self._tracks.get(key)
        if cached is None:
            cached = dumpb(self.full_track_dict(ref, market, in_playlist))
            self._store(self._tracks, key, cached)
        return cached

    def full_artist(self, artist: Artist) -> bytes:
        cached = self._artists.get(artist.id)
        if cached is None:
            followers, genres, popularity, image_key = artist_facts(artist.id)
            out: dict[str, Any] = {
                **self._link("artist", artist.id),
                "followers": {"href": None, "total": followers},
                "genres": list(genres),
                "id": artist.id,
                "images": _images(image_key, ARTIST_IMAGES),
                "name": artist.name,
                "popularity": popularity,
                "type": "artist",
                "uri": f"spotify:artist:{artist.id}",
            }
            if self.dev:
                for name in DEV_STRIPPED_ARTIST_FIELDS:
                    del out[name]
            cached = dumpb(_sorted(out))
            self._store(self._artists, artist.id, cached)
        return cached

    # ------------------------------------------------------------ library items
    def context(self, context: Context | None) -> dict[str, Any] | None:
        if context is None:
            return None
        return {
            **self._link(context.type, context.id),
            "type": context.type,
            "uri": f"spotify:{context.type}:{context.id}",
        }

    def play(self, play: Play) -> bytes:
        return b"".join(
            (
                b'{"context":',
                dumpb(self.context(play.context)),
                b',"played_at":',
                dumpb(iso_ms(play.played_at)),
                b',"track":',
                self.full_track(play.track, None),
                b"}",
            )
        )

    def saved(self, saved: Saved[Any], market: str | None) -> bytes:
        """A saved track or album: ``{"added_at", "track"}`` or ``{"added_at", "album"}``."""
        if isinstance(saved.item, TrackRef):
            key, body = b"track", self.full_track(saved.item, market)
        else:
            key, body = b"album", self.base.full_album(saved.item, market)
        added_at = dumpb(iso_s(saved.added_at))
        return b"".join((b'{"added_at":', added_at, b',"', key, b'":', body, b"}"))

    # --------------------------------------------------------------- playlists
    def playlist(self, playlist: Playlist) -> bytes:
        """A simplified playlist, with a ``{"href", "total"}`` reference to its items."""
        out: dict[str, Any] = {
            **self._link("playlist", playlist.id),
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "id": playlist.id,
            "images": self._cover(playlist),
            "name": playlist.name,
            "owner": self.owner(playlist.owner),
            "primary_color": None,
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "type": "playlist",
            "uri": f"spotify:playlist:{playlist.id}",
        }
        for key in self.item_keys:
            path = "items" if key == "item" else "tracks"
            out[path] = {
                "href": f"{self.api}/playlists/{playlist.id}/{path}",
                "total": len(playlist.items),
            }
        return dumpb(_sorted(out))

    def _cover(self, playlist: Playlist) -> list[dict[str, Any]] | None:
        if playlist.custom_image is not None:
            return [{"height": None, "url": UPLOAD_URL + playlist.custom_image, "width": None}]
        keys = list(
            dict.fromkeys(
                i.entry.album.image_key
                for i in playlist.items
                if i is not None and isinstance(i.entry, TrackRef)
            )
        )
        if not keys:
            return None
        if len(keys) < 4:
            return [{"height": None, "url": f"{IMAGE_URL}{COVER_PREFIX}{keys[0]}", "width": None}]
        tiles = "".join(COVER_PREFIX + k for k in keys[:4])
        return [{"height": s, "url": f"{MOSAIC_URL}{s}/{tiles}", "width": s} for s in MOSAIC_SIZES]

    def playlist_item(self, item: Position, market: str | None) -> bytes:
        if item is None:
            return b"null"
        entry = item.entry
        if isinstance(entry, TrackRef):
            body = self.full_track(entry, market, in_playlist=True)
        elif isinstance(entry, Episode):
            body = dumpb(self.episode(entry))
        elif isinstance(entry, LocalFile):
            body = dumpb(self.local_track(entry))
        else:
            body = b"null"
        parts = [
            b'{"added_at":',
            dumpb(iso_s(item.added_at)),
            b',"added_by":',
            dumpb(self.user_ref(item.added_by)),
            b',"is_local":',
            b"true" if isinstance(entry, LocalFile) else b"false",
        ]
        if "item" in self.item_keys:
            parts += [b',"item":', body]
        parts.append(b',"primary_color":null')
        if "track" in self.item_keys:
            parts += [b',"track":', body]
        parts.append(b',"video_thumbnail":{"url":null}}')
        return b"".join(parts)

    def episode(self, episode: Episode) -> dict[str, Any]:
        """An episode in a playlist (with the playlist markers episode/track)."""
        show = episode.show
        show_out: dict[str, Any] = {
            **self._link("show", show.id),
            "available_markets": list(MARKETS),
            "copyrights": [],
            "description": show.description,
            "explicit": False,
            "html_description": f"<p>{show.description}</p>",
            "id": show.id,
            "images": _images(show.image_key, EPISODE_IMAGES),
            "is_externally_hosted": False,
            "languages": ["en"],
            "media_type": "audio",
            "name": show.name,
            "publisher": show.publisher,
            "total_episodes": show.total_episodes,
            "type": "show",
            "uri": f"spotify:show:{show.id}",
        }
        out: dict[str, Any] = {
            **self._link("episode", episode.id),
            "audio_preview_url": None,
            "description": episode.description,
            "duration_ms": episode.duration_ms,
            "episode": True,
            "explicit": episode.explicit,
            "html_description": f"<p>{episode.description}</p>",
            "id": episode.id,
            "images": _images(episode.image_key, EPISODE_IMAGES),
            "is_externally_hosted": False,
            "is_playable": True,
            "language": episode.language,
            "languages": [episode.language],
            "name": episode.name,
            "release_date": episode.release_date,
            "release_date_precision": "day",
            "show": _sorted(show_out),
            "track": False,
            "type": "episode",
            "uri": f"spotify:episode:{episode.id}",
        }
        return _sorted(out)

    def local_track(self, local: LocalFile) -> dict[str, Any]:
        """A local file: no ids or links, zeros, and a ``spotify:local:`` uri."""
        uri = ":".join(
            (
                "spotify:local",
                *(quote_plus(p) for p in (local.artist, local.album, local.title)),
                str(local.duration_s),
            )
        )
        out: dict[str, Any] = {
            "album": {
                "album_type": None,
                "artists": [],
                "available_markets": [],
                "external_urls": {},
                "href": None,
                "id": None,
                "images": [],
                "name": local.album,
                "release_date": None,
                "release_date_precision": None,
                "type": "album",
                "uri": None,
            },
            "artists": [
                {
                    "external_urls": {},
                    "href": None,
                    "id": None,
                    "name": local.artist,
                    "type": "artist",
                    "uri": None,
                }
            ],
            "available_markets": [],
            "disc_number": 0,
            "duration_ms": local.duration_s * 1000,
            "episode": False,
            "explicit": False,
            "external_ids": {},
            "external_urls": {},
            "href": None,
            "id": None,
            "is_local": True,
            "name": local.title,
            "popularity": 0,
            "preview_url": None,
            "track": True,
            "track_number": 0,
            "type": "track",
            "uri": uri,
        }
        if self.dev:
            for name in DEV_STRIPPED_TRACK_FIELDS:
                out.pop(name, None)
            del out["album"]["available_markets"]
        return out

    def _store(self, cache: dict[Any, bytes], key: Any, value: bytes) -> None:
        if len(cache) > CACHE_ENTRIES:
            cache.clear()
        cache[key] = value
