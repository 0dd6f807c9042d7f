"""The user side's state (``backend.users``): its data, its switches, and the changes
admin calls make (new plays, saves, follows, playlist edits, revoked or aged consent).

The data is generated on first use, so emulators that never see a user request
pay nothing for it.  Changes replace lists whole under a lock: a request being
served meanwhile sees the old list or the new one, never half of either.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .catalog import Catalog
from .oauth import GrantStore
from .render import Renderer
from .user_generate import (
    DEFAULT_USER_ID,
    context_for,
    generate_users,
    new_artist,
    times_between,
)
from .user_render import UserRenderer
from .users import (
    READABLE_PLAYS,
    TIME_RANGES,
    Library,
    Play,
    Playlist,
    PlaylistItem,
    SavedAlbum,
    SavedTrack,
    User,
    UserData,
    iso_ms,
    iso_s,
)

CONSENT_ANSWERS = ("approve", "deny")
#: What playlist items may carry: both names (2026 transition, the default) or one.
ITEM_KEY_CHOICES = (("item", "track"), ("item",), ("track",))
PLAY_STEP = 3 * 60_000  # new plays are about a song apart
SAVE_STEP = 60_000


class UserStore:
    """Users, their libraries and playlists, the Authorization Code grants, and switches:

    * ``consent``: ``"approve"`` (default) or ``"deny"``, what the user answers at
      /authorize;
    * ``rotate_refresh_tokens``: the refresh grant also returns a new refresh token
      (pre-2026 behaviour; the old one keeps working);
    * ``playlist_item_keys``: ``("item", "track")`` (default), ``("item",)`` or
      ``("track",)``, the names playlist items and playlist references are sent under.
    """

    def __init__(
        self,
        catalog: Catalog,
        seed: int,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        self._catalog = catalog
        self._seed = seed
        self._wall_clock = wall_clock
        self.grants = GrantStore(seed, clock, wall_clock)
        self.rotate_refresh_tokens = False
        self._consent = "approve"
        self._item_keys: tuple[str, ...] = ("item", "track")
        self._data: UserData | None = None
        self._lock = threading.RLock()
        self._rng = random.Random(f"spotify-emulator/users-live/{seed}")
        self._rendered: tuple[Renderer, tuple[str, ...], UserRenderer] | None = None

    # --------------------------------------------------------------- switches
    @property
    def consent(self) -> str:
        return self._consent

    @consent.setter
    def consent(self, answer: str) -> None:
        if answer not in CONSENT_ANSWERS:
            raise ValueError(f"consent must be one of {CONSENT_ANSWERS}, got {answer!r}")
        self._consent = answer

    @property
    def playlist_item_keys(self) -> tuple[str, ...]:
        return self._item_keys

    @playlist_item_keys.setter
    def playlist_item_keys(self, keys: Sequence[str]) -> None:
        wanted = tuple(keys)
        if wanted not in ITEM_KEY_CHOICES:
            raise ValueError(f"playlist_item_keys must be one of {ITEM_KEY_CHOICES}")
        self._item_keys = wanted

    # ------------------------------------------------------------------- data
    @property
    def data(self) -> UserData:
        """Everything, generated on first use (times back from that moment)."""
        data = self._data
        if data is None:
            with self._lock:
                if self._data is None:
                    self._data = generate_users(self._catalog, self._seed, self.now_ms())
                data = self._data
        return data

    @property
    def default_user(self) -> str:
        """The user /authorize signs in (``listener``)."""
        return DEFAULT_USER_ID

    def now_ms(self) -> int:
        return int(self._wall_clock() * 1000)

    def user(self, user_id: str) -> User | None:
        return self.data.users.get(user_id)

    def library(self, user_id: str | None = None) -> Library:
        return self.data.libraries[user_id or DEFAULT_USER_ID]

    def playlist(self, playlist_id: str) -> Playlist | None:
        return self.data.playlists.get(playlist_id)

    def renderer(self, base: Renderer) -> UserRenderer:
        """The user-side renderer for this catalog renderer (profile, origin, hostility)."""
        rendered = self._rendered
        if rendered is None or rendered[0] is not base or rendered[1] != self._item_keys:
            rendered = (base, self._item_keys, UserRenderer(base, self.data, self._item_keys))
            self._rendered = rendered
        return rendered[2]

    # --------------------------------------------------------- admin changes
    def play(self, count: int = 1, user_id: str | None = None) -> list[str]:
        """``count`` new plays ending now, newest first; their ``played_at``."""
        _positive(count)
        with self._lock:
            lib = self.library(user_id)
            newest = lib.plays[0].played_at if lib.plays else 0
            owned = [p for p in lib.playlist_ids if self.data.playlists[p].owner == lib.user.id]
            pool = self.data.track_pool
            added = []
            for moment in times_between(newest, self.now_ms(), count, PLAY_STEP):
                ref = self._rng.choice(pool)
                added.append(Play(moment, ref, context_for(self._rng, ref, owned)))
            lib.plays = added[::-1] + lib.plays
        return [iso_ms(p.played_at) for p in added[::-1]]

    def save_tracks(self, count: int = 1, user_id: str | None = None) -> list[str]:
        """Save ``count`` more tracks, added now (newest first); their ids."""
        _positive(count)
        with self._lock:
            lib = self.library(user_id)
            have = {s.track.track.id for s in lib.saved_tracks}
            fresh = [r for r in self.data.track_pool if r.track.id not in have]
            if len(fresh) < count:
                raise ValueError(f"only {len(fresh)} tracks left to save")
            picks = self._rng.sample(fresh, count)
            newest = lib.saved_tracks[0].added_at if lib.saved_tracks else 0
            times = times_between(newest, self._now_s(), count, SAVE_STEP, 1000)
            added = [SavedTrack(t, r) for t, r in zip(times, picks, strict=True)]
            lib.saved_tracks = added[::-1] + lib.saved_tracks
        return [s.track.track.id for s in added[::-1]]

    def save_albums(self, count: int = 1, user_id: str | None = None) -> list[str]:
        """Save ``count`` more albums, added now (newest first); their ids."""
        _positive(count)
        with self._lock:
            lib = self.library(user_id)
            have = {s.album.id for s in lib.saved_albums}
            fresh = [a for a in self.data.album_pool if a.id not in have]
            if len(fresh) < count:
                raise ValueError(f"only {len(fresh)} albums left to save")
            picks = self._rng.sample(fresh, count)
            newest = lib.saved_albums[0].added_at if lib.saved_albums else 0
            times = times_between(newest, self._now_s(), count, SAVE_STEP, 1000)
            added = [SavedAlbum(t, a) for t, a in zip(times, picks, strict=True)]
            lib.saved_albums = added[::-1] + lib.saved_albums
        return [s.album.id for s in added[::-1]]

    def follow(self, count: int = 1, user_id: str | None = None) -> list[str]:
        """Follow ``count`` more artists (listed first); their ids."""
        _positive(count)
        with self._lock:
            lib = self.library(user_id)
            have = {a.id for a in lib.followed}
            fresh = [a for a in self.data.artist_pool if a.id not in have]
            picks = self._rng.sample(fresh, min(count, len(fresh)))
            picks += [new_artist(self._rng) for _ in range(count - len(picks))]
            lib.followed = picks[::-1] + lib.followed
        return [a.id for a in picks[::-1]]

    def edit_playlist(self, playlist_id: str | None = None, user_id: str | None = None) -> str:
        """Add one track to a playlist (the first one the user owns by default): a new
        ``snapshot_id``.  Returns the playlist's id."""
        with self._lock:
            lib = self.library(user_id)
            if playlist_id is None:
                playlists = self.data.playlists
                owned = [p for p in lib.playlist_ids if playlists[p].owner == lib.user.id]
                if not owned:
                    raise ValueError("the user owns no playlist")
                playlist_id = owned[0]
            playlist = self.playlist(playlist_id)
            if playlist is None:
                raise ValueError(f"unknown playlist id {playlist_id!r}")
            newest = max((i.added_at for i in playlist.items), default=0)
            [moment] = times_between(newest, self._now_s(), 1, SAVE_STEP, 1000)
            item = PlaylistItem(moment, lib.user.id, self._rng.choice(self.data.track_pool))
            playlist.items = [*playlist.items, item]
            playlist.version += 1
        return playlist_id

    def revoke(self, user_id: str | None = None) -> int:
        """The user removes the app's access: every refresh token answers
        ``Refresh token revoked``.  Returns how many were revoked."""
        return self.grants.revoke(user_id or DEFAULT_USER_ID)

    def age_consent(self, days: float, user_id: str | None = None) -> None:
        """Move the user's consent ``days`` back: after 183 days refresh tokens expire."""
        if days < 0:
            raise ValueError("days must be >= 0")
        self.grants.age_consent(user_id or DEFAULT_USER_ID, days)

    def summary(self, user_id: str | None = None) -> dict[str, Any]:
        """Counts, playlists with their snapshot ids, consent: what admin GET shows."""
        lib = self.library(user_id)
        consent = self.grants.consent_date(lib.user.id)
        tokens = self.grants.refresh_tokens(lib.user.id)
        playlists = [self.data.playlists[p] for p in lib.playlist_ids]
        return {
            "user": lib.user.id,
            "display_name": lib.user.display_name,
            "counts": {
                "plays": len(lib.plays),
                "readable_plays": min(READABLE_PLAYS, len(lib.plays)),
                "top_tracks": {r: len(lib.top_tracks[r]) for r in TIME_RANGES},
                "top_artists": {r: len(lib.top_artists[r]) for r in TIME_RANGES},
                "saved_tracks": len(lib.saved_tracks),
                "saved_albums": len(lib.saved_albums),
                "followed_artists": len(lib.followed),
                "playlists": len(playlists),
            },
            "newest_play": iso_ms(lib.plays[0].played_at) if lib.plays else None,
            "playlists": [
                {
                    "id": p.id,
                    "name": p.name,
                    "owner": p.owner,
                    "collaborative": p.collaborative,
                    "public": p.public,
                    "items": len(p.items),
                    "snapshot_id": p.snapshot_id,
                    "readable_in_development": p.readable_by(lib.user.id),
                }
                for p in playlists
            ],
            "consent": self._consent,
            "consent_date": None if consent is None else iso_s(int(consent * 1000)),
            "refresh_tokens": {
                "active": sum(not g.revoked for g in tokens),
                "revoked": sum(g.revoked for g in tokens),
            },
            "rotate_refresh_tokens": self.rotate_refresh_tokens,
            "playlist_item_keys": list(self._item_keys),
        }

    def _now_s(self) -> int:
        now = self.now_ms()
        return now - now % 1000


def _positive(count: int) -> None:
    if count < 1:
        raise ValueError("count must be >= 1")
