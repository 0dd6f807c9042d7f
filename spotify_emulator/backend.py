"""The emulator's state: catalog, listeners, tokens, rate limits, faults, stats.

This is the "models" half of the moto-style split: http/routes.py maps requests to
the handlers (catalog/handlers.py, user/handlers.py ...), which read and change
this, and http/server.py moves the bytes.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .catalog.generate import build_added_album, generate_catalog
from .catalog.model import Album, Catalog
from .catalog.render import Renderer
from .catalog.search import search_albums
from .http.compression import gzip_bomb
from .http.faults import FaultInjector
from .http.hostile import Hostile, changed, hostile_settings
from .http.ratelimit import RateLimiter
from .http.routes import API_ENDPOINTS
from .http.stats import Stats
from .http.tokens import TokenStore
from .options import PROFILES, EmulatorOptions
from .user.store import UserStore

_UNSET: Any = object()
#: Endpoints a Development Mode app gets 403 on: new releases, the batch endpoints,
#: /users/{id}/playlists and /playlists/{id}/tracks (Feb 2026 changelog and migration
#: guide; README "User data").
DEV_FORBIDDEN = (
    "new_releases",
    "several_albums",
    "several_tracks",
    "several_artists",
    "audio_features",
    "several_episodes",
    "several_shows",
    "several_audiobooks",
    "several_chapters",
    "user_playlists",
    "playlist_tracks",
)


class SpotifyBackend:
    """One emulated Spotify: everything a request can read or change."""

    def __init__(
        self,
        options: EmulatorOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.options = options if options is not None else EmulatorOptions()
        opts = self.options
        self.clock = clock
        self.catalog: Catalog = generate_catalog(opts)
        self.profile = opts.profile
        self.latency_ms = opts.latency_ms
        self.tokens = TokenStore(opts.token_ttl, opts.seed, clock)
        #: The user side: listeners' data, Authorization Code grants, user switches.
        self.users = UserStore(
            self.catalog, opts.seed, clock, wall_clock, opts.signed_in, opts.allowlist
        )
        self.limiter = RateLimiter(
            opts.rate_limit,
            opts.rate_limit_window,
            opts.retry_after,
            opts.rate_limit_variant,
            clock,
        )
        if opts.script_429_after is not None:
            self.limiter.script(
                opts.script_429_retry_after, opts.script_429_after, opts.script_429_variant
            )
        self.faults = FaultInjector(
            opts.fault_rate, opts.fault_kinds, opts.fault_seed, opts.faults_on_token
        )
        self._stats = Stats(opts.request_log_limit)
        self._catalog_lock = threading.Lock()
        self._added = 0
        self._forbidden: frozenset[str] = frozenset()
        self._search_cache: dict[tuple[int, str, str | None], list[Album]] = {}
        self._base_url = "http://127.0.0.1:0"
        self.hostile: Hostile = hostile_settings(opts)
        _prepare(self.hostile)
        self.renderer = Renderer(self._base_url, self.profile, self.hostile)

    # ----------------------------------------------------------------- wiring
    @property
    def base_url(self) -> str:
        """Origin used in every href/next/previous (set by the server once bound)."""
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = value.rstrip("/")
        self.renderer = Renderer(self._base_url, self.profile, self.hostile)

    @property
    def api_url(self) -> str:
        return self._base_url + "/v1"

    # ------------------------------------------------------------ observability
    def stats(self) -> dict[str, Any]:
        """Counts by endpoint, by status and by fault, and the request log (JSON-ready)."""
        return self._stats.snapshot()

    def reset_stats(self) -> None:
        self._stats.reset()

    def record(self, **entry: Any) -> None:
        """Used by the HTTP layer to log one served request."""
        self._stats.record(**entry)

    # --------------------------------------------------------- runtime controls
    def script_429(
        self, retry_after: int = 86400, after: int = 0, variant: str = "classic"
    ) -> None:
        """The (after+1)-th API request from now answers one 429 with this Retry-After."""
        self.limiter.script(retry_after, after, variant)

    def set_rate_limit(
        self,
        rate_limit: int | None = _UNSET,
        rate_limit_window: float = _UNSET,
        retry_after: int | None = _UNSET,
        rate_limit_variant: str = _UNSET,
    ) -> None:
        """Change the rolling-window limit; omitted arguments keep their value.

        ``retry_after=None`` computes Retry-After from the window again.
        """
        lim = self.limiter
        lim.configure(
            lim.budget if rate_limit is _UNSET else rate_limit,
            lim.window if rate_limit_window is _UNSET else rate_limit_window,
            lim.retry_after if retry_after is _UNSET else retry_after,
            lim.variant if rate_limit_variant is _UNSET else rate_limit_variant,
        )

    def set_faults(
        self,
        fault_rate: float = _UNSET,
        fault_kinds: Sequence[str] = _UNSET,
        fault_seed: int = _UNSET,
        faults_on_token: bool = _UNSET,
        latency_ms: float = _UNSET,
    ) -> None:
        """Change fault injection (restarting its seeded sequence) and/or latency."""
        f = self.faults
        f.configure(
            f.rate if fault_rate is _UNSET else fault_rate,
            f.kinds if fault_kinds is _UNSET else tuple(fault_kinds),
            f.seed if fault_seed is _UNSET else fault_seed,
            f.on_token if faults_on_token is _UNSET else faults_on_token,
        )
        if latency_ms is not _UNSET:
            if latency_ms < 0:
                raise ValueError("latency_ms must be >= 0")
            self.latency_ms = latency_ms

    def set_profile(self, profile: str) -> None:
        """Switch tier at runtime (e.g. to test a client's tier detection)."""
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}")
        self.profile = profile
        self.renderer = Renderer(self._base_url, profile, self.hostile)

    def set_hostile(self, **changes: Any) -> None:
        """Change hostile behaviours (http/hostile.py); others keep their value.

        With no arguments at all, every hostile behaviour is turned off.
        """
        new = changed(self.hostile, **changes)
        old, self.hostile = self.hostile, new
        _prepare(new)
        if old.changes_paging or new.changes_paging:
            self.renderer = Renderer(self._base_url, self.profile, new)

    def forbid(self, *endpoints: str) -> None:
        """Answer 403 Forbidden on these endpoints whatever the profile."""
        unknown = set(endpoints) - set(API_ENDPOINTS)
        if unknown:
            raise ValueError(f"unknown endpoints {sorted(unknown)}; known: {API_ENDPOINTS}")
        self._forbidden = self._forbidden | set(endpoints)

    def allow(self, *endpoints: str) -> None:
        """Undo ``forbid`` (the development profile's own 403s stay)."""
        self._forbidden = self._forbidden - set(endpoints)

    def is_forbidden(self, endpoint: str) -> bool:
        """Whether this endpoint answers 403 (tier rules plus ``forbid``)."""
        if endpoint in self._forbidden:
            return True
        return self.profile == "development" and endpoint in DEV_FORBIDDEN

    def serves(self, user_id: str) -> bool:
        """Whether the app may act for this user: always, but for a Development Mode app
        only for the listeners on its allowlist."""
        return self.profile != "development" or self.users.allows(user_id)

    def set_token_ttl(self, ttl: float) -> None:
        """TTL for tokens issued from now on."""
        if ttl <= 0:
            raise ValueError("ttl must be > 0")
        self.tokens.ttl = ttl

    def expire_tokens(self) -> None:
        """Expire every token issued so far (next API call gets 401 expired)."""
        self.tokens.expire_all()

    # ------------------------------------------------------------ catalog edits
    def add_album(
        self,
        release_date: str | datetime.date | None = None,
        precision: str = "day",
        tracks: int = 12,
        list_first: bool = True,
        *,
        listed: bool = True,
        name: str | None = None,
        album_type: str | None = None,
        markets: Sequence[str] | None = None,
        position: int | None = None,
    ) -> str:
        """Add an album and list it in new releases: at ``position`` (an index, as for
        ``list.insert``) if given, else at the front if list_first, else at the end.

        ``release_date`` may be ``2026``, ``2026-11``, ``2026-11-18`` or a date, in the
        future too; ``0000`` (precision year) is Spotify's unknown year.
        """
        with self._catalog_lock:
            album = build_added_album(
                self.catalog,
                self.options.seed,
                self._added + 1,
                release_date=release_date,
                precision=precision,
                tracks=tracks,
                name=name,
                album_type=album_type,
                markets=markets,
            )
            self._added += 1  # only once built: a refused album takes no serial
            self.catalog.albums[album.id] = album
            for artist in album.artists:
                self.catalog.artists.setdefault(artist.id, artist)
            if listed:
                ids = list(self.catalog.new_release_ids)
                if position is not None:
                    ids.insert(position, album.id)
                elif list_first:
                    ids.insert(0, album.id)
                else:
                    ids.append(album.id)
                # Swap in a new list so concurrent readers see old or new, never half.
                self.catalog.new_release_ids = ids
            self.catalog.version += 1
        return album.id

    def make_unavailable(self, album_id: str) -> None:
        """Take an album down: still listed, but null/404 when fetched."""
        album = self.catalog.albums.get(album_id)
        if album is None:
            raise KeyError(album_id)
        with self._catalog_lock:
            album.available = False
            self.catalog.version += 1

    def album_dict(self, album_id: str, market: str | None = None) -> dict[str, Any]:
        """The full album as this profile would show it, with ALL tracks as a list."""
        album = self.catalog.albums[album_id]
        return self.renderer.album_dict(album, market, full=True)

    def tag_new_albums(self) -> list[str]:
        """Ids search ``tag:new`` finds, in the order search returns them."""
        return [a.id for a in self.search("tag:new", None)]

    def search(self, query: str, market: str | None) -> list[Album]:
        """Albums matching a search query (cached until the catalog changes)."""
        key = (self.catalog.version, query, market)
        found = self._search_cache.get(key)
        if found is None:
            if len(self._search_cache) > 1000:
                self._search_cache.clear()
            found = search_albums(self.catalog, query, market)
            self._search_cache[key] = found
        return found


def _prepare(hostile: Hostile) -> None:
    """Start building a gzip bomb the switches will serve (about 10 s for the default
    3 GB), so that the first request waits less, or not at all."""
    if hostile.gzip_bomb_for:
        size = hostile.gzip_bomb_bytes
        threading.Thread(target=gzip_bomb, args=(size,), name="gzip-bomb", daemon=True).start()
