"""The catalog model: artists, albums, tracks, and the ids and dates they use.

Generation lives in ``generate.py``; this module is plain data plus the few
rules (id syntax, what an imprecise release date covers) that requests need.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Maps every byte to a base62 character, so ids cost one randbytes + translate.
_BASE62_TABLE = bytes(ord(BASE62[i % 62]) for i in range(256))
ID_PATTERN = re.compile(r"^[0-9A-Za-z]{22}$")
PRECISIONS = ("year", "month", "day")
ALBUM_TYPES = ("album", "single", "compilation", "ep")
#: Track counts every default catalog of >= 4 listed albums contains: the page
#: boundaries of /albums/{id}/tracks (limit 50) and of the embedded first page.
AWKWARD_TRACK_COUNTS = (1, 50, 51, 120)
#: Markets used for the guaranteed relinked / restricted tracks.
RELINK_MARKET = "ES"


def new_id(rng: random.Random, length: int = 22) -> str:
    """A Spotify-style base62 id (22 characters unless told otherwise)."""
    return rng.randbytes(length).translate(_BASE62_TABLE).decode("ascii")


def is_valid_id(value: str) -> bool:
    """True for a well-formed 22-character base62 Spotify id."""
    return ID_PATTERN.match(value) is not None


@dataclasses.dataclass(slots=True)
class Artist:
    """A simplified artist (the only artist shape these endpoints embed)."""

    id: str
    name: str


@dataclasses.dataclass(slots=True)
class Track:
    """One track of one album.

    ``markets`` are where the track itself plays; in ``relink_markets`` it is
    replaced by the copy ``relink_id`` (Spotify's track relinking).
    """

    id: str
    name: str
    artists: tuple[Artist, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    markets: tuple[str, ...]
    market_set: frozenset[str]
    relink_id: str | None = None
    relink_markets: frozenset[str] = frozenset()


@dataclasses.dataclass(slots=True)
class Album:
    """A full album; ``available=False`` models a taken-down album."""

    id: str
    name: str
    album_type: str
    artists: tuple[Artist, ...]
    release_date: str
    release_date_precision: str
    markets: tuple[str, ...]
    label: str
    popularity: int
    copyrights: tuple[tuple[str, str], ...]
    upc: str
    image_key: str
    tracks: list[Track]
    available: bool = True

    @property
    def total_tracks(self) -> int:
        return len(self.tracks)

    @property
    def release_window(self) -> tuple[datetime.date, datetime.date]:
        """First and last day the (possibly imprecise) release date can mean."""
        return date_range(self.release_date, self.release_date_precision)


def date_range(release_date: str, precision: str) -> tuple[datetime.date, datetime.date]:
    """Earliest and latest day a release date of the given precision covers."""
    if precision == "day":
        day = datetime.date.fromisoformat(release_date)
        return day, day
    if precision == "month":
        year, month = (int(p) for p in release_date.split("-"))
        first = datetime.date(year, month, 1)
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        return first, nxt - datetime.timedelta(days=1)
    # Spotify sends "0000" for some unknown dates; date has no year 0, so it means year 1.
    year = max(datetime.MINYEAR, int(release_date))
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def format_release_date(day: datetime.date, precision: str) -> str:
    """The release_date string Spotify sends for a day at a precision."""
    if precision == "day":
        return day.isoformat()
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if precision == "year":
        return f"{day.year:04d}"
    raise ValueError(f"precision must be one of {PRECISIONS}")


@dataclasses.dataclass
class Catalog:
    """All albums by id, plus the curated new-releases order."""

    today: datetime.date
    albums: dict[str, Album]
    artists: dict[str, Artist]
    new_release_ids: list[str]
    #: Bumped on every change, so derived caches (search) know when to drop.
    version: int = 0

    @property
    def new_releases(self) -> list[Album]:
        """Listed albums in list order (unavailable ones included, as listed)."""
        return [self.albums[i] for i in self.new_release_ids]

    def get(self, album_id: str) -> Album | None:
        """An album a client may fetch; None when unknown or taken down."""
        album = self.albums.get(album_id)
        if album is None or not album.available:
            return None
        return album

    def is_new(self, album: Album, days: int = 14) -> bool:
        """Whether search's ``tag:new`` (past two weeks) covers this album.

        An imprecise date (``2026`` or ``2026-11``) counts when its span
        overlaps the window ``[today - days, today]``.
        """
        first, last = album.release_window
        return last >= self.today - datetime.timedelta(days=days) and first <= self.today
