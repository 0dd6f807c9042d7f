"""Turn catalog objects into Spotify's JSON, byte for byte the same every time.

Keys come out in alphabetical order, as in the real responses and recordings.
Rendered fragments are cached as UTF-8 bytes per (object, market), so a page
of 50 albums is a join of cached fragments rather than 50 ``json.dumps`` calls:
that is what keeps server time per request well under a millisecond.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, TypeVar

from ..http.hostile import Hostile
from ..http.messages import dumpb, raw_list, raw_object
from .model import Album, Artist, Track

OPEN_URL = "https://open.spotify.com"
IMAGE_URL = "https://i.scdn.co/image/"
#: (prefix, size) of the three cover sizes, widest first.
IMAGE_SIZES = (("ab67616d0000b273", 640), ("ab67616d00001e02", 300), ("ab67616d00004851", 64))
#: Album fields a Development Mode app no longer receives (Feb 2026 changelog).
#: ``album_group`` is only sent by artist-album listings, so there is nothing to strip.
DEV_STRIPPED_ALBUM_FIELDS = ("album_group", "available_markets", "label", "popularity")
#: Track fields a Development Mode app no longer receives; simplified tracks have
#: no ``popularity`` anyway.
DEV_STRIPPED_TRACK_FIELDS = ("available_markets", "linked_from", "popularity")
#: Embedded ``tracks`` page size of a full album.
EMBEDDED_TRACKS = 50

#: Whole track pages kept (each up to ~30 kB; one per album, market, offset and limit).
PAGE_CACHE_ENTRIES = 4096

T = TypeVar("T")


def page_url(path: str, offset: int, limit: int, before: str = "", after: str = "") -> str:
    """A paging URL in Spotify's order: ``<before>&offset=&limit=&<after>``.

    ``before``/``after`` are already URL-encoded query fragments (or empty).
    """
    query = f"offset={offset}&limit={limit}"
    if before:
        query = f"{before}&{query}"
    if after:
        query = f"{query}&{after}"
    return f"{path}?{query}"


class Renderer:
    """Renders for one base URL, profile and set of hostile settings; thread-safe.

    Built anew whenever one of those changes, so its caches never mix them.
    """

    def __init__(self, base_url: str, profile: str, hostile: Hostile | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api = self.base_url + "/v1"
        self.dev = profile == "development"
        self.hostile = hostile if hostile is not None else Hostile()
        self._artists: dict[str, dict[str, Any]] = {}
        self._tracks: dict[tuple[str, str | None], bytes] = {}
        self._simple: dict[tuple[str, str | None], bytes] = {}
        self._full: dict[tuple[str, str | None], bytes] = {}
        self._pages: dict[tuple[str, str | None, int, int], bytes] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------- paging
    def page(
        self,
        api_path: str,
        items: Sequence[bytes],
        *,
        offset: int,
        limit: int,
        total: int,
        before: str = "",
        after: str = "",
        max_end: int | None = None,
    ) -> bytes:
        """A paging object for ``/v1<api_path>`` around rendered items; next/previous null
        at the ends. ``max_end`` (search) also ends ``next`` where the next page would
        reach past it, which the API refuses. The hostile settings apply: ``next_base``
        moves ``next``, ``loop_next`` points it at the first page, ``total`` is the total
        written (``next`` still follows the real one).
        """
        hostile = self.hostile
        path = self.api + api_path
        next_path = path if hostile.next_base is None else hostile.next_base + api_path
        nxt = None
        if hostile.loop_next:
            nxt = page_url(next_path, 0, limit, before, after)
        elif offset + limit < total and (max_end is None or offset + 2 * limit <= max_end):
            nxt = page_url(next_path, offset + limit, limit, before, after)
        prev = page_url(path, max(0, offset - limit), limit, before, after) if offset else None
        return raw_object(
            ("href", dumpb(page_url(path, offset, limit, before, after))),
            ("items", raw_list(items)),
            ("limit", dumpb(limit)),
            ("next", dumpb(nxt)),
            ("offset", dumpb(offset)),
            ("previous", dumpb(prev)),
            ("total", dumpb(total if hostile.total is None else hostile.total)),
        )

    def window(self, items: Sequence[T], offset: int, limit: int) -> Sequence[T]:
        """The items of the page at ``offset`` (offset 0's under ``ignore_offset``)."""
        start = 0 if self.hostile.ignore_offset else offset
        return items[start : start + limit]

    # ------------------------------------------------------------------ objects
    def _ref(self, kind: str, object_id: str) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"{OPEN_URL}/{kind}/{object_id}"},
            "href": f"{self.api}/{kind}s/{object_id}",
            "id": object_id,
        }

    def artist(self, artist: Artist) -> dict[str, Any]:
        cached = self._artists.get(artist.id)
        if cached is None:
            cached = self._ref("artist", artist.id)
            cached["name"] = artist.name
            cached["type"] = "artist"
            cached["uri"] = f"spotify:artist:{artist.id}"
            self._artists[artist.id] = cached
        return cached

    def track_dict(self, track: Track, market: str | None) -> dict[str, Any]:
        """A simplified track; with a market, relinking and restrictions apply."""
        shown_id = track.id
        linked_from = None
        playable = True
        if market is not None and market not in track.market_set:
            if track.relink_id is not None and market in track.relink_markets:
                shown_id = track.relink_id
                linked_from = {**self._ref("track", track.id), "type": "track"}
                linked_from["uri"] = f"spotify:track:{track.id}"
            else:
                playable = False
        ref = self._ref("track", shown_id)
        out: dict[str, Any] = {"artists": [self.artist(a) for a in track.artists]}
        if market is None and not self.dev:
            out["available_markets"] = list(track.markets)
        out["disc_number"] = track.disc_number
        out["duration_ms"] = track.duration_ms
        out["explicit"] = track.explicit
        out["external_urls"] = ref["external_urls"]
        out["href"] = ref["href"]
        out["id"] = shown_id
        out["is_local"] = False
        if market is not None:
            out["is_playable"] = playable
            if linked_from is not None and not self.dev:
                out["linked_from"] = linked_from
        out["name"] = track.name
        out["preview_url"] = None  # null in every track since late 2024 (2026 captures)
        if market is not None and not playable:
            out["restrictions"] = {"reason": "market"}
        out["track_number"] = track.track_number
        out["type"] = "track"
        out["uri"] = f"spotify:track:{shown_id}"
        return out

    def track(self, track: Track, market: str | None) -> bytes:
        key = (track.id, market)
        cached = self._tracks.get(key)
        if cached is None:
            cached = dumpb(self.track_dict(track, market))
            self._store(self._tracks, key, cached)
        return cached

    def _album_head(self, album: Album, market: str | None, full: bool) -> dict[str, Any]:
        ref = self._ref("album", album.id)
        out: dict[str, Any] = {
            "album_type": album.album_type,
            "artists": [self.artist(a) for a in album.artists],
        }
        if market is None and not self.dev:
            out["available_markets"] = list(album.markets)
        if full:
            out["copyrights"] = [{"text": t, "type": k} for t, k in album.copyrights]
            out["external_ids"] = {"upc": album.upc}
        out["external_urls"] = ref["external_urls"]
        if full:
            out["genres"] = []
        out["href"] = ref["href"]
        out["id"] = album.id
        out["images"] = [
            {"height": size, "url": f"{IMAGE_URL}{prefix}{album.image_key}", "width": size}
            for prefix, size in IMAGE_SIZES
        ]
        if full and not self.dev:
            out["label"] = album.label
        out["name"] = album.name
        if full and not self.dev:
            out["popularity"] = album.popularity
        out["release_date"] = album.release_date
        out["release_date_precision"] = album.release_date_precision
        out["total_tracks"] = album.total_tracks
        return out

    def album_dict(self, album: Album, market: str | None, full: bool) -> dict[str, Any]:
        """Album as a dict; a full one embeds ALL tracks as a plain list (for tests)."""
        out = self._album_head(album, market, full)
        if full:
            out["tracks"] = [self.track_dict(t, market) for t in album.tracks]
        out["type"] = "album"
        out["uri"] = f"spotify:album:{album.id}"
        return out

    def simplified_album(self, album: Album, market: str | None = None) -> bytes:
        key = (album.id, market)
        cached = self._simple.get(key)
        if cached is None:
            cached = dumpb(self.album_dict(album, market, full=False))
            self._store(self._simple, key, cached)
        return cached

    def full_album(self, album: Album, market: str | None = None) -> bytes:
        """A full album with its first 50 tracks embedded as a paging object."""
        key = (album.id, market)
        cached = self._full.get(key)
        if cached is None:
            head = dumpb(self._album_head(album, market, full=True))
            tracks = self.tracks_page(album, market, offset=0, limit=EMBEDDED_TRACKS)
            cached = b"".join(
                (
                    head[:-1],
                    b',"tracks":',
                    tracks,
                    b',"type":"album","uri":',
                    dumpb(f"spotify:album:{album.id}"),
                    b"}",
                )
            )
            self._store(self._full, key, cached)
        return cached

    def tracks_page(self, album: Album, market: str | None, *, offset: int, limit: int) -> bytes:
        """The paging object of /albums/{id}/tracks (also embedded in full albums).

        Cached whole: an album's tracks never change, and clients ask for the same
        pages again and again.
        """
        key = (album.id, market, offset, limit)
        cached = self._pages.get(key)
        if cached is None:
            cached = self.page(
                f"/albums/{album.id}/tracks",
                [self.track(t, market) for t in self.window(album.tracks, offset, limit)],
                offset=offset,
                limit=limit,
                total=album.total_tracks,
                after=f"market={market}" if market is not None else "",
            )
            self._store(self._pages, key, cached, limit=PAGE_CACHE_ENTRIES)
        return cached

    def _store(self, cache: dict[Any, bytes], key: Any, value: bytes, limit: int = 200_000) -> None:
        """Bounded caches: a client walking every market must not eat all memory."""
        if len(cache) > limit:
            with self._lock:
                cache.clear()
        cache[key] = value
