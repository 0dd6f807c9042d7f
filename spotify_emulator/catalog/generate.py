"""Deterministic catalog generation from ``EmulatorOptions``.

Everything is drawn from ``random.Random`` instances seeded with strings derived
from ``EmulatorOptions.seed``, so the same options always give the same catalog,
whatever the platform or the day.  The generator guarantees the awkward cases a
client must survive (see ``plan_listed``), not just a plausible average.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from . import names
from .markets import MARKET_SET, MARKETS
from .model import (
    ALBUM_TYPES,
    AWKWARD_TRACK_COUNTS,
    PRECISIONS,
    RELINK_MARKET,
    Album,
    Artist,
    Catalog,
    Track,
    format_release_date,
    new_id,
)

if TYPE_CHECKING:
    from ..options import EmulatorOptions


class AlbumGenerator:
    """Builds albums from one RNG; a class only to share the RNG and artist pool (the
    user side makes its extra albums with it too, from its own RNG)."""

    def __init__(self, rng: random.Random, artists: list[Artist], various: Artist) -> None:
        self.rng = rng
        self.artists = artists
        self.various = various

    def album(
        self,
        *,
        track_count: int,
        album_type: str,
        release_day: datetime.date,
        precision: str,
        markets: tuple[str, ...] | None = None,
        name: str | None = None,
        force_relink: bool = False,
        force_explicit: bool = False,
    ) -> Album:
        rng = self.rng
        album_id = new_id(rng)
        if album_type == "compilation":
            album_artists: tuple[Artist, ...] = (self.various,)
        elif rng.random() < 0.15:
            album_artists = tuple(rng.sample(self.artists, 2))
        else:
            album_artists = (rng.choice(self.artists),)
        if markets is None:
            markets = self._album_markets()
        label = rng.choice(names.LABELS)
        year = release_day.year
        if rng.random() < 0.5:
            copyrights = ((f"© {year} {label}", "C"), (f"℗ {year} {label}", "P"))
        else:
            copyrights = ((f"{year} {label}", "C"), (f"{year} {label}", "P"))
        tracks = self._tracks(
            track_count, album_type, album_artists, markets, force_relink, force_explicit
        )
        # An album is available where at least one of its tracks plays (spec note).
        covered: set[str] = set()
        for track in tracks:
            covered.update(track.markets)
            covered.update(track.relink_markets)
        album_markets = tuple(m for m in MARKETS if m in covered)
        upc_digits = 12 if rng.random() < 0.8 else 13
        return Album(
            id=album_id,
            name=name if name is not None else names.album_title(rng),
            album_type=album_type,
            artists=album_artists,
            release_date=format_release_date(release_day, precision),
            release_date_precision=precision,
            markets=album_markets,
            label=label,
            popularity=rng.randint(0, 100),
            copyrights=copyrights,
            upc=str(rng.randrange(10 ** (upc_digits - 1), 10**upc_digits)),
            image_key=f"{rng.getrandbits(160):040x}",
            tracks=tracks,
        )

    def _album_markets(self) -> tuple[str, ...]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.7:
            return MARKETS
        if roll < 0.9:
            dropped = set(rng.sample(MARKETS, rng.randint(1, 25)))
            return tuple(m for m in MARKETS if m not in dropped)
        kept = set(rng.sample(MARKETS, rng.randint(1, 40)))
        return tuple(m for m in MARKETS if m in kept)

    def _tracks(
        self,
        count: int,
        album_type: str,
        album_artists: tuple[Artist, ...],
        markets: tuple[str, ...],
        force_relink: bool,
        force_explicit: bool,
    ) -> list[Track]:
        rng = self.rng
        discs = _disc_sizes(count, rng)
        explicit_album = force_explicit or rng.random() < 0.25
        market_set = MARKET_SET if markets is MARKETS else frozenset(markets)
        tracks: list[Track] = []
        index = 0
        for disc_number, size in enumerate(discs, start=1):
            for track_number in range(1, size + 1):
                if album_type == "compilation":
                    artists: tuple[Artist, ...] = (rng.choice(self.artists),)
                elif rng.random() < 0.1:
                    artists = (*album_artists, rng.choice(self.artists))
                else:
                    artists = album_artists
                # preview_url is null since late 2024; these draws (a former preview
                # URL's) only keep every seed's catalog as it was before.
                if rng.random() < 0.4:
                    rng.getrandbits(160)
                track = Track(
                    id=new_id(rng),
                    name=names.track_title(rng, track_number),
                    artists=artists,
                    disc_number=disc_number,
                    track_number=track_number,
                    duration_ms=rng.randint(35_000, 420_000),
                    explicit=(force_explicit and index == 0)
                    or (explicit_album and rng.random() < 0.6),
                    markets=markets,
                    market_set=market_set,
                )
                self._maybe_restrict(track, index, force_relink)
                tracks.append(track)
                index += 1
        return tracks

    def _maybe_restrict(self, track: Track, index: int, force: bool) -> None:
        """Give some tracks fewer markets, some of them a relinked copy."""
        rng = self.rng
        if len(track.markets) < 3:
            return
        if force and index in (1, 2):
            # Guaranteed cases: track 2 relinked in ES, track 3 not playable in ES.
            removed = {RELINK_MARKET, *rng.sample(track.markets, 4)}
            relink = index == 1
        else:
            roll = rng.random()
            if roll >= 0.07:
                return
            how_many = rng.randint(1, min(30, len(track.markets) - 1))
            removed = set(rng.sample(track.markets, how_many))
            relink = roll < 0.035
        kept = tuple(m for m in track.markets if m not in removed)
        if not kept:
            return
        track.markets = kept
        track.market_set = frozenset(kept)
        if relink:
            track.relink_id = new_id(rng)
            track.relink_markets = frozenset(removed)


def _disc_sizes(count: int, rng: random.Random) -> list[int]:
    """Split a track count into discs: long albums get 2-3 discs, some deluxe ones 2."""
    if count >= 100:
        discs = 3
    elif count >= 30 or (count >= 12 and rng.random() < 0.15):
        discs = 2
    else:
        discs = 1
    base, extra = divmod(count, discs)
    return [base + (1 if d < extra else 0) for d in range(discs)]


def default_track_count(rng: random.Random) -> int:
    """Shaped on the 2024 recording of new releases (20 albums of 6 to 30 tracks, mean
    12): mostly albums of 7-20 tracks, some singles and EPs, a tenth of 21-50, and rare
    long ones (our assumption: 1 in 200 over 50 tracks, half of those over 100). Every
    catalog of 4 albums or more also gets counts 1, 50, 51 and 120 (plan_listed)."""
    roll = rng.random()
    if roll < 0.25:
        return rng.randint(1, 3)
    if roll < 0.35:
        return rng.randint(4, 6)
    if roll < 0.895:
        return rng.randint(7, 20)
    if roll < 0.995:
        return rng.randint(21, 50)
    if roll < 0.9975:
        return rng.randint(51, 100)
    return rng.randint(101, 150)


def album_type_for(count: int, rng: random.Random) -> str:
    """Spotify-like typing: 1-3 tracks single, 4-6 EP, longer album or compilation."""
    if count <= 3:
        return "single"
    if count <= 6:
        return "ep"
    return "compilation" if rng.random() < 0.12 else "album"


@dataclasses.dataclass
class _ListedPlan:
    counts: list[int]
    types: list[str]
    precisions: list[str]
    days: list[datetime.date]
    takedown: int | None
    relinked: int | None
    non_ascii: int | None
    order: list[int]


def plan_listed(options: EmulatorOptions, rng: random.Random) -> _ListedPlan:
    """Decide counts, types, precisions and dates of the listed albums.

    Guarantees (for enough albums): counts 1, 50, 51, 120; every album_type;
    every release_date_precision; a non-ASCII title; a relinked track; an
    album available nowhere (empty available_markets).
    """
    n = options.new_releases
    forced: set[int] = set()
    spread = options.release_spread_days
    days = [options.today - datetime.timedelta(days=rng.randint(0, spread)) for _ in range(n)]
    # Curated order (album index per list position): shuffled, never sorted by date.
    order = list(range(n))
    rng.shuffle(order)
    listed_days = [days[i] for i in order]
    if n >= 2 and listed_days in (sorted(listed_days), sorted(listed_days, reverse=True)):
        order[0], order[-1] = order[-1], order[0]
    if options.track_counts is not None:
        # Explicit counts follow the list order: position p gets given[p % len].
        given = options.track_counts
        counts = [0] * n
        for position, index in enumerate(order):
            counts[index] = given[position % len(given)]
    else:
        counts = [default_track_count(rng) for _ in range(n)]
        if n >= len(AWKWARD_TRACK_COUNTS):
            slots = rng.sample(range(n), len(AWKWARD_TRACK_COUNTS))
            for slot, count in zip(slots, AWKWARD_TRACK_COUNTS, strict=True):
                counts[slot] = count
            forced.update(slots)
            free = [i for i in range(n) if i not in forced]
            if free and not any(4 <= c <= 6 for c in counts):
                counts[rng.choice(free)] = 5
    types = [album_type_for(c, rng) for c in counts]
    if n >= 4 and "compilation" not in types:
        candidates = [i for i, c in enumerate(counts) if c >= 7]
        if candidates:
            types[candidates[0] if 50 not in counts else counts.index(50)] = "compilation"

    precisions = []
    for _ in range(n):
        roll = rng.random()
        precisions.append("month" if roll < 0.08 else "year" if roll < 0.13 else "day")
    if n >= 3 and not {"year", "month", "day"} <= set(precisions):
        month_slot, year_slot, day_slot = rng.sample(range(n), 3)
        precisions[month_slot], precisions[year_slot] = "month", "year"
        precisions[day_slot] = "day"

    relinked = None
    if n:
        big = [i for i, c in enumerate(counts) if c >= 3]
        relinked = counts.index(50) if 50 in counts else (big[0] if big else None)
    takedown = None
    if n >= 20:
        takedown = rng.choice([i for i in range(n) if i != relinked and i not in forced])
    return _ListedPlan(
        counts=counts,
        types=types,
        precisions=precisions,
        days=days,
        takedown=takedown,
        relinked=relinked,
        non_ascii=0 if n else None,
        order=order,
    )


def generate_catalog(options: EmulatorOptions) -> Catalog:
    """Build the whole catalog for these options (pure function of the options)."""
    rng = random.Random(f"spotify-emulator/catalog/{options.seed}")
    n = options.new_releases
    pool_size = max(8, (n + options.back_catalog) // 3 + 5)
    artists = [Artist(new_id(rng), names.artist_name(rng)) for _ in range(pool_size)]
    various = Artist(new_id(rng), names.VARIOUS_ARTISTS)
    gen = AlbumGenerator(rng, artists, various)
    plan = plan_listed(options, rng)

    listed: list[Album] = []
    for i in range(n):
        listed.append(
            gen.album(
                track_count=plan.counts[i],
                album_type=plan.types[i],
                release_day=plan.days[i],
                precision=plan.precisions[i],
                markets=() if i == plan.takedown else MARKETS if i == plan.relinked else None,
                name=rng.choice(names.FOREIGN_TITLES) if i == plan.non_ascii else None,
                force_relink=i == plan.relinked,
                force_explicit=i == plan.relinked,
            )
        )
    order = [listed[i] for i in plan.order]

    back: list[Album] = []
    for _ in range(options.back_catalog):
        count = default_track_count(rng)
        if rng.random() < 0.2:  # recent but not curated: only search tag:new finds it
            day = options.today - datetime.timedelta(
                days=rng.randint(0, options.release_spread_days)
            )
            precision = "day"
        else:
            day = _old_day(rng, options.today, options.release_spread_days)
            precision = "year" if rng.random() < 0.2 else "day"
        back.append(
            gen.album(
                track_count=count,
                album_type=album_type_for(count, rng),
                release_day=day,
                precision=precision,
            )
        )

    albums = {a.id: a for a in (*listed, *back)}
    used = {artist.id: artist for a in albums.values() for artist in _all_artists(a)}
    return Catalog(
        today=options.today,
        albums=albums,
        artists=used,
        new_release_ids=[a.id for a in order],
    )


def build_added_album(
    catalog: Catalog,
    seed: int,
    serial: int,
    *,
    release_date: str | datetime.date | None,
    precision: str,
    tracks: int,
    name: str | None,
    album_type: str | None,
    markets: Sequence[str] | None,
) -> Album:
    """An extra album for ``add_album``; deterministic per (seed, serial)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}")
    if tracks < 1:
        raise ValueError("an album needs at least one track")
    if album_type is not None and album_type not in ALBUM_TYPES:
        raise ValueError(f"album_type must be one of {ALBUM_TYPES}")
    rng = random.Random(f"spotify-emulator/added/{seed}/{serial}")
    year_zero = isinstance(release_date, str) and _is_year_zero(release_date)
    if year_zero and precision != "year":
        raise ValueError("release year 0000 is only sent with precision year")
    if release_date is None:
        day = catalog.today
    elif isinstance(release_date, datetime.date):
        day = release_date
    elif year_zero:
        day = datetime.date.min  # stands in for Spotify's "0000" (date has no year 0)
    else:
        day = _parse_loose_date(release_date)
    pool = list(catalog.artists.values()) or [Artist(new_id(rng), names.artist_name(rng))]
    various = next((a for a in pool if a.name == names.VARIOUS_ARTISTS), None)
    gen = AlbumGenerator(rng, pool, various or Artist(new_id(rng), names.VARIOUS_ARTISTS))
    chosen_markets = None
    if markets is not None:
        wanted = {m.upper() for m in markets}
        chosen_markets = tuple(m for m in MARKETS if m in wanted)
    album = gen.album(
        track_count=tracks,
        album_type=album_type or album_type_for(tracks, rng),
        release_day=day,
        precision=precision,
        markets=chosen_markets,
        name=name,
    )
    while album.id in catalog.albums:  # astronomically unlikely, but keep ids unique
        album.id = new_id(rng)
    if year_zero:
        album.release_date = "0000"
    return album


def _is_year_zero(value: str) -> bool:
    """``0000`` (Spotify's unknown year), also with month and day parts."""
    year = value.split("-")[0]
    return year != "" and set(year) == {"0"}


def _parse_loose_date(value: str) -> datetime.date:
    """Accept ``2026``, ``2026-11`` or ``2026-11-18``."""
    try:
        parts = [int(p) for p in value.split("-")]
    except ValueError:
        raise ValueError(
            f"release_date must look like 2026, 2026-11 or 2026-11-18: {value!r}"
        ) from None
    while len(parts) < 3:
        parts.append(1)
    return datetime.date(parts[0], parts[1], parts[2])


def _old_day(rng: random.Random, today: datetime.date, spread: int) -> datetime.date:
    earliest = datetime.date(1960, 1, 1).toordinal()
    latest = (today - datetime.timedelta(days=spread + 30)).toordinal()
    return datetime.date.fromordinal(rng.randint(earliest, max(earliest, latest)))


def _all_artists(album: Album) -> Iterable[Artist]:
    yield from album.artists
    for track in album.tracks:
        yield from track.artists
