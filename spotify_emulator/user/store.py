"""The user side's state (``backend.users``): the listeners' data, who signs in, who the
app may serve, and the changes admin calls make (new plays, saves and removals, follows,
playlist edits, revoked or aged consent).

The data is generated on first use, so emulators that never see a user request
pay nothing for it. Changes replace lists whole under a lock: a request being
served meanwhile sees the old list or the new one, never half of either. Every
change and summary takes ``user_id`` (default: the default listener).
"""

from __future__ import annotations

import datetime
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

from tap_spotify.spotify import READABLE_PLAYS, TIME_RANGES

from ..catalog.model import Album, Artist, Catalog
from ..catalog.render import Renderer
from .generate import context_for, generate_users, new_artist, times_between
from .household import DEFAULT_LISTENER, LISTENERS, MAX_ALLOWLIST
from .model import (
    Library,
    Play,
    Playlist,
    PlaylistItem,
    Saved,
    TrackRef,
    User,
    UserData,
    iso_ms,
    iso_s,
)
from .oauth import GrantStore
from .render import UserRenderer

CONSENT_ANSWERS = ("approve", "deny")
#: What playlist items may carry: both names (2026 transition, the default) or one.
ITEM_KEY_CHOICES = (("item", "track"), ("item",), ("track",))
#: What ``edit_playlist`` adds: a track, a bare ``null`` entry, an entry with ``item: null``.
PLAYLIST_ENTRIES = ("track", "null", "unavailable")
#: The library lists admin calls save to and remove from, with how an entry is named.
LIBRARY_KINDS = ("tracks", "albums", "artists")
PLAY_STEP = 3 * 60_000  # new plays are about a song apart
SAVE_STEP = 60_000


class UserStore:
    """Listeners, their libraries and playlists, the Authorization Code grants, and switches:

    * ``consent``: ``"approve"`` (default) or ``"deny"``, what the browser answers at
      /authorize, whoever is signed in;
    * ``signed_in``: the listener /authorize signs in (``sign_in(user_id)``);
    * ``allowlist``: the listeners a Development Mode app may serve (default: all);
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
        signed_in: str = DEFAULT_LISTENER,
        allowlist: Sequence[str] | None = None,
    ) -> None:
        self._catalog = catalog
        self._seed = seed
        self._wall_clock = wall_clock
        self.grants = GrantStore(seed, clock, wall_clock)
        self.rotate_refresh_tokens = False
        self._consent = "approve"
        self._item_keys: tuple[str, ...] = ("item", "track")
        self._signed_in = _listener(signed_in)
        self._allowlist = _allowlist(allowlist)
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

    @property
    def listeners(self) -> tuple[str, ...]:
        """Every listener's id, the default one first."""
        return LISTENERS

    @property
    def signed_in(self) -> str:
        """The listener the next /authorize visits sign in, as a browser session would."""
        return self._signed_in

    def sign_in(self, user_id: str) -> None:
        self._signed_in = _listener(user_id)

    @property
    def allowlist(self) -> tuple[str, ...]:
        return self._allowlist

    def set_allowlist(self, user_ids: Sequence[str] | None) -> None:
        """The listeners a Development Mode app may serve; None: every listener."""
        self._allowlist = _allowlist(user_ids)

    def allows(self, user_id: str) -> bool:
        """Whether the app's allowlist holds this user (only Development Mode asks)."""
        return user_id in self._allowlist

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
        """The default listener (``listener``)."""
        return DEFAULT_LISTENER

    def now_ms(self) -> int:
        return int(self._wall_clock() * 1000)

    def user(self, user_id: str) -> User | None:
        return self.data.users.get(user_id)

    def library(self, user_id: str | None = None) -> Library:
        """A listener's library (the default listener's without an id)."""
        return self.data.libraries[_listener(user_id or DEFAULT_LISTENER)]

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

    def save_tracks(
        self, count: int = 1, user_id: str | None = None, added_at: str | None = None
    ) -> list[str]:
        """Save ``count`` more tracks (first in save order); their ids. ``added_at``
        (ISO 8601) dates them as given, as a pre-save is; else they are saved now."""
        return self._save("tracks", count, user_id, added_at)

    def save_albums(
        self, count: int = 1, user_id: str | None = None, added_at: str | None = None
    ) -> list[str]:
        """Save ``count`` more albums (first in save order); their ids (see save_tracks)."""
        return self._save("albums", count, user_id, added_at)

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

    def remove(
        self,
        kind: str,
        ids: Sequence[str] = (),
        count: int = 1,
        offset: int = 0,
        user_id: str | None = None,
    ) -> list[str]:
        """Unsave tracks or albums, or unfollow artists (``kind``: tracks, albums,
        artists): those with ``ids``, else ``count`` of them from position ``offset``
        (0: the newest save). Returns the ids removed."""
        if kind not in LIBRARY_KINDS:
            raise ValueError(f"kind must be one of {LIBRARY_KINDS}")
        with self._lock:
            lib = self.library(user_id)
            entries: list[Any] = getattr(lib, _LIST_OF[kind])
            keys = [_entry_id(kind, e) for e in entries]
            if ids:
                missing = sorted(set(ids) - set(keys))
                if missing:
                    raise ValueError(f"not in the library: {missing}")
                gone = set(ids)
            else:
                _positive(count)
                if offset < 0 or offset + count > len(entries):
                    raise ValueError(f"only {len(entries)} {kind} to remove from")
                gone = set(keys[offset : offset + count])
            kept = [e for e, k in zip(entries, keys, strict=True) if k not in gone]
            setattr(lib, _LIST_OF[kind], kept)
        return [k for k in keys if k in gone]

    def edit_playlist(
        self, playlist_id: str | None = None, user_id: str | None = None, entry: str = "track"
    ) -> str:
        """Add one entry to a playlist (the first one the listener owns by default): a
        track, a bare ``null`` or an unavailable item (see PLAYLIST_ENTRIES); a new
        ``snapshot_id``. Returns the playlist's id."""
        if entry not in PLAYLIST_ENTRIES:
            raise ValueError(f"entry must be one of {PLAYLIST_ENTRIES}")
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
            newest = max((i.added_at for i in playlist.items if i is not None), default=0)
            [moment] = times_between(newest, self._now_s(), 1, SAVE_STEP, 1000)
            track = self._rng.choice(self.data.track_pool) if entry == "track" else None
            added = None if entry == "null" else PlaylistItem(moment, lib.user.id, track)
            playlist.items = [*playlist.items, added]
            playlist.version += 1
        return playlist_id

    def revoke(self, user_id: str | None = None) -> int:
        """The user removes the app's access: every refresh token answers
        ``Refresh token revoked``. Returns how many were revoked."""
        return self.grants.revoke(self.library(user_id).user.id)

    def age_consent(self, days: float, user_id: str | None = None) -> None:
        """Move the user's consent ``days`` back: six months on, refresh tokens expire."""
        if days < 0:
            raise ValueError("days must be >= 0")
        self.grants.age_consent(self.library(user_id).user.id, days)

    # -------------------------------------------------------------- summaries
    def summary(self, user_id: str | None = None) -> dict[str, Any]:
        """Counts, playlists with their snapshot ids, consent: what admin GET shows."""
        lib = self.library(user_id)
        me = lib.user
        consent = self.grants.consent_date(me.id)
        tokens = self.grants.refresh_tokens(me.id)
        playlists = [self.data.playlists[p] for p in lib.playlist_ids]
        return {
            "user": me.id,
            "account_id": me.account_id,
            "display_name": me.display_name,
            "signed_in": me.id == self._signed_in,
            "allowlisted": self.allows(me.id),
            "counts": {
                "plays": len(lib.plays),
                "readable_plays": min(READABLE_PLAYS, len(lib.plays)),
                "top_tracks": {r: len(lib.top_tracks[r]) for r in TIME_RANGES},
                "top_artists": {r: len(lib.top_artists[r]) for r in TIME_RANGES},
                "saved_tracks": len(lib.saved_tracks),
                "saved_albums": len(lib.saved_albums),
                "pre_saved_tracks": sum(s.pre_save for s in lib.saved_tracks),
                "pre_saved_albums": sum(s.pre_save for s in lib.saved_albums),
                "followed_artists": len(lib.followed),
                "playlists": len(playlists),
            },
            "newest_play": iso_ms(lib.plays[0].played_at) if lib.plays else None,
            "playlists": [_playlist_summary(p, me.id) for p in playlists],
            "consent": self._consent,
            "consent_date": None if consent is None else iso_s(int(consent * 1000)),
            "refresh_tokens": {
                "active": sum(not g.revoked for g in tokens),
                "revoked": sum(g.revoked for g in tokens),
            },
            "rotate_refresh_tokens": self.rotate_refresh_tokens,
            "playlist_item_keys": list(self._item_keys),
        }

    def household(self) -> list[dict[str, Any]]:
        """One line per listener: who they are, whether they sign in, whether allowed."""
        users = self.data.users
        return [
            {
                "user": user_id,
                "display_name": users[user_id].display_name,
                "account_id": users[user_id].account_id,
                "signed_in": user_id == self._signed_in,
                "allowlisted": self.allows(user_id),
            }
            for user_id in LISTENERS
        ]

    # --------------------------------------------------------------- helpers
    def _save(self, kind: str, count: int, user_id: str | None, added_at: str | None) -> list[str]:
        _positive(count)
        given = None if added_at is None else parse_instant(added_at)
        with self._lock:
            lib = self.library(user_id)
            saved: list[Saved[Any]] = getattr(lib, _LIST_OF[kind])
            pool: list[Any] = self.data.track_pool if kind == "tracks" else self.data.album_pool
            have = {_entry_id(kind, s) for s in saved}
            fresh = [x for x in pool if _item_id(x) not in have]
            if len(fresh) < count:
                raise ValueError(f"only {len(fresh)} {kind} left to save")
            picks = self._rng.sample(fresh, count)
            if given is None:
                now = self._now_s()
                newest = max((s.added_at for s in saved if s.added_at <= now), default=0)
                times = times_between(newest, now, count, SAVE_STEP, 1000)
            else:
                times = [given] * count
            added = [Saved(t, x, given is not None) for t, x in zip(times, picks, strict=True)]
            setattr(lib, _LIST_OF[kind], added[::-1] + saved)
        return [_entry_id(kind, s) for s in added[::-1]]

    def _now_s(self) -> int:
        now = self.now_ms()
        return now - now % 1000


#: Library attribute of each kind of entry.
_LIST_OF = {"tracks": "saved_tracks", "albums": "saved_albums", "artists": "followed"}


def _item_id(item: TrackRef | Album | Artist) -> str:
    return item.track.id if isinstance(item, TrackRef) else item.id


def _entry_id(kind: str, entry: Any) -> str:
    """The id a library entry is known by: the track's, the album's or the artist's."""
    return _item_id(entry if kind == "artists" else entry.item)


def _playlist_summary(playlist: Playlist, user_id: str) -> dict[str, Any]:
    return {
        "id": playlist.id,
        "name": playlist.name,
        "owner": playlist.owner,
        "collaborative": playlist.collaborative,
        "public": playlist.public,
        "items": len(playlist.items),
        "null_entries": sum(i is None for i in playlist.items),
        "null_items": sum(i is not None and i.entry is None for i in playlist.items),
        "snapshot_id": playlist.snapshot_id,
        "readable_in_development": playlist.readable_by(user_id),
    }


def parse_instant(value: str) -> int:
    """Unix ms of an ISO 8601 time (``2016-12-19T23:00:00Z``; no zone means UTC)."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"added_at must look like 2016-12-19T23:00:00Z: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp()) * 1000


def _listener(user_id: str) -> str:
    if user_id not in LISTENERS:
        raise ValueError(f"unknown listener {user_id!r}; known: {LISTENERS}")
    return user_id


def _allowlist(user_ids: Sequence[str] | None) -> tuple[str, ...]:
    if user_ids is None:
        return LISTENERS
    if len(user_ids) > MAX_ALLOWLIST:
        raise ValueError(f"a Development Mode app allows at most {MAX_ALLOWLIST} listeners")
    return tuple(_listener(u) for u in user_ids)


def _positive(count: int) -> None:
    if count < 1:
        raise ValueError("count must be >= 1")
