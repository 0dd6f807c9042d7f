"""The user side's model: people, and what they played, saved, follow and collect.

Plain data, like ``catalog/model.py``: generation is in ``generate.py`` and
``household.py``, the state and the changes admin calls make in ``store.py``, JSON in
``render.py``. Times are unix milliseconds (UTC) on the wall clock, because Spotify's
are: ``played_at`` and ``added_at`` are real dates a client compares with its own.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import struct
from typing import Generic, TypeVar

from ..catalog.model import BASE62, Album, Artist, Track

T = TypeVar("T")


def iso_ms(ms: int) -> str:
    """``played_at``: ISO 8601 UTC with milliseconds (``2026-02-25T20:15:20.497Z``)."""
    moment = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def iso_s(ms: int) -> str:
    """``added_at``: ISO 8601 UTC to the second (``2025-07-29T21:11:55Z``)."""
    moment = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclasses.dataclass(frozen=True, slots=True)
class User:
    """A Spotify account; ``image_key`` None means no profile picture."""

    id: str
    display_name: str
    country: str = "SE"
    email: str = ""
    product: str = "premium"
    followers: int = 0
    image_key: str | None = None
    explicit_filter: bool = False

    @property
    def account_id(self) -> str:
        """Spotify's immutable account identifier (May 2026), unlike ``id`` which can
        change: derived from the id here, so stable per listener and never equal to it."""
        digest = hashlib.blake2b(f"account:{self.id}".encode(), digest_size=22).digest()
        return "".join(BASE62[b % 62] for b in digest)


@dataclasses.dataclass(frozen=True, slots=True)
class TrackRef:
    """A catalog track with its album: full track objects embed the album."""

    track: Track
    album: Album


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """Where a play started: an album, a playlist or an artist."""

    type: str
    id: str


@dataclasses.dataclass(frozen=True, slots=True)
class Play:
    played_at: int
    track: TrackRef
    context: Context | None


@dataclasses.dataclass(frozen=True, slots=True)
class Saved(Generic[T]):
    """A track or album in the library. Lists keep save order (newest save first), but
    ``added_at`` of a pre-save is the release (midnight local time), which may be years
    older than the saves around it, or in the future."""

    added_at: int
    item: T
    pre_save: bool = False


SavedTrack = Saved[TrackRef]
SavedAlbum = Saved[Album]


@dataclasses.dataclass(frozen=True, slots=True)
class Show:
    id: str
    name: str
    publisher: str
    description: str
    image_key: str
    total_episodes: int


@dataclasses.dataclass(frozen=True, slots=True)
class Episode:
    """A podcast episode, as playlists may hold them."""

    id: str
    name: str
    show: Show
    description: str
    duration_ms: int
    release_date: str
    explicit: bool
    language: str
    image_key: str


@dataclasses.dataclass(frozen=True, slots=True)
class LocalFile:
    """A file from the user's own disk: no id, no links, a ``spotify:local:`` uri."""

    artist: str
    album: str
    title: str
    duration_s: int


#: What a playlist position holds; None is a track no longer available (``item: null``).
Entry = TrackRef | Episode | LocalFile | None


@dataclasses.dataclass(frozen=True, slots=True)
class PlaylistItem:
    added_at: int
    added_by: str
    entry: Entry


#: A playlist position: None is an entry Spotify sends as a bare ``null``.
Position = PlaylistItem | None


@dataclasses.dataclass(slots=True)
class Playlist:
    """A playlist; every edit bumps ``version`` and so ``snapshot_id``.

    ``collaborators`` are the users besides the owner who may edit it (and, in
    Development Mode, read its items).
    """

    id: str
    name: str
    owner: str
    description: str = ""
    public: bool = True
    collaborative: bool = False
    collaborators: frozenset[str] = frozenset()
    items: list[Position] = dataclasses.field(default_factory=list)
    version: int = 1
    custom_image: str | None = None

    @property
    def snapshot_id(self) -> str:
        """Shaped like Spotify's: base64 of a 4-byte version and a 20-byte digest."""
        digest = hashlib.sha1(f"{self.id}:{self.version}:{len(self.items)}".encode()).digest()
        return base64.b64encode(struct.pack(">I", self.version) + digest).decode("ascii")

    def readable_by(self, user_id: str) -> bool:
        """Owner or collaborator: who a Development Mode app may read items for."""
        return user_id == self.owner or (self.collaborative and user_id in self.collaborators)


@dataclasses.dataclass(slots=True)
class Library:
    """One user's data. Lists are newest first and replaced whole on every change,
    so a reader holding one never sees it half-changed."""

    user: User
    plays: list[Play]
    top_tracks: dict[str, list[TrackRef]]
    top_artists: dict[str, list[Artist]]
    saved_tracks: list[SavedTrack]
    saved_albums: list[SavedAlbum]
    followed: list[Artist]
    #: Playlists as /me/playlists lists them: owned, collaborative and followed.
    playlist_ids: list[str]


@dataclasses.dataclass(slots=True)
class UserData:
    """Everything the user side holds: people (listeners and the playlist owners they
    meet), the listeners' libraries, every playlist."""

    users: dict[str, User]
    libraries: dict[str, Library]
    playlists: dict[str, Playlist]
    #: Tracks and artists the libraries draw from (catalog ones first).
    track_pool: list[TrackRef]
    artist_pool: list[Artist]
    album_pool: list[Album]
