"""Seeded generation of the user side: the listeners of household.py, the people whose
playlists they follow, and each listener's plays, top lists, saved tracks and albums,
follows and playlists.

Everything but the times is a pure function of the seed and the catalog. Times
are laid out backwards from the moment of generation (the wall clock), so plays
are "the last few days" whenever a test runs, and a client comparing them with
its own clock (as the Singer SDK's bookmark signpost does) sees the past.
Catalog tracks and albums are reused; when the catalog is too small for the
counts below, extra albums exist for the user side alone (not listed, searched
or fetchable through the catalog endpoints), as do the pre-saved albums.

The default listener draws from the seed's one RNG stream exactly as it did before
the household existed, so its data is as it was (but for its two pre-saves, which
take the places of two saves); every other listener, and every listener's
pre-saves, draw from streams of their own.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tap_spotify.spotify import TIME_RANGES

from ..catalog import names
from ..catalog.generate import AlbumGenerator, album_type_for, default_track_count
from ..catalog.model import Album, Artist, Catalog, new_id
from .household import DEFAULT_PLAN, HOUSEHOLD, ListenerPlan, PlaylistPlan
from .model import (
    Context,
    Episode,
    Library,
    LocalFile,
    Play,
    Playlist,
    PlaylistItem,
    Position,
    Saved,
    Show,
    TrackRef,
    User,
    UserData,
)

T = TypeVar("T")
#: Below these pool sizes, extra albums and artists are made for the user side.
MIN_TRACKS = 400
MIN_ALBUMS = 60
MIN_ARTISTS = 150
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
#: Days from the day of generation to the releases of every listener's two pre-saved
#: albums: one weeks ahead, one years back.
PRE_SAVE_AHEAD = (10, 60)
PRE_SAVE_BACK = (4 * 365, 10 * 365)
#: Where in the save order the pre-saves stand: the newest save, and the fourth.
PRE_SAVE_POSITIONS = (0, 3)

GENRES = (
    "indie pop",
    "synthpop",
    "power metal",
    "symphonic metal",
    "chillwave",
    "slap house",
    "nederpop",
    "art pop",
    "bossa nova",
    "k-pop",
    "afrobeats",
    "dream pop",
    "neo soul",
    "french house",
    "shoegaze",
    "cumbia",
    "jazz rap",
    "city pop",
)
SHOWS = (
    ("Late Night Signals", "Kite Audio"),
    ("Café Conversations", "Sonido Sur"),
    ("The Long Take", "Independent"),
)


def _hex(rng: random.Random, chars: int = 40) -> str:
    return f"{rng.getrandbits(chars * 4):0{chars}x}"


def _others(rng: random.Random) -> dict[str, User]:
    """Playlist owners and collaborators, with the id styles real accounts have."""
    modern = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(28))
    return {
        "friend": User(modern, "Rensie", "NL", followers=12, image_key=_hex(rng)),
        "numeric": User(str(rng.randrange(10**9, 10**10)), "Austin Martinez", "US", followers=3),
        "legacy": User("vinylvera", "SylveonTribe", "DE", followers=88, image_key=_hex(rng)),
        "spotify": User("spotify", "Spotify", "SE", followers=10_000_000),
    }


def artist_facts(artist_id: str) -> tuple[int, tuple[str, ...], int, str]:
    """Followers, genres, popularity and image key of a full artist object.

    Derived from the id alone (no RNG stream), so the catalog stays as it was and
    an artist looks the same wherever it appears.
    """
    digest = hashlib.blake2b(artist_id.encode(), digest_size=32).digest()
    followers = int.from_bytes(digest[:4], "big") % 2_000_000
    genre_count = digest[4] % 4
    genres = tuple(dict.fromkeys(GENRES[b % len(GENRES)] for b in digest[5 : 5 + genre_count]))
    popularity = digest[9] % 101
    return followers, genres, popularity, digest[12:32].hex()


def track_facts(track_id: str, year: str) -> tuple[str, int]:
    """ISRC and popularity of a full track object, derived from the id alone."""
    digest = hashlib.blake2b(track_id.encode(), digest_size=16).digest()
    country = ("US", "GB", "SE", "DE", "NL", "FR", "QZ", "GX")[digest[0] % 8]
    registrant = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[b % 34] for b in digest[1:4])
    serial = int.from_bytes(digest[4:8], "big") % 100_000
    return f"{country}{registrant}{year[-2:]:0>2}{serial:05d}", digest[8] % 101


class _Pools:
    """What the libraries draw from: available catalog albums, topped up if too few."""

    def __init__(self, catalog: Catalog, rng: random.Random) -> None:
        albums = [a for a in catalog.albums.values() if a.available and a.markets]
        artists = [a for a in catalog.artists.values() if a.name != names.VARIOUS_ARTISTS]
        extra_artists = [
            Artist(new_id(rng), names.artist_name(rng))
            for _ in range(max(0, MIN_ARTISTS - len(artists)))
        ]
        artists += extra_artists
        tracks = sum(len(a.tracks) for a in albums)
        if tracks < MIN_TRACKS or len(albums) < MIN_ALBUMS:
            gen = AlbumGenerator(rng, artists, Artist(new_id(rng), names.VARIOUS_ARTISTS))
            while tracks < MIN_TRACKS or len(albums) < MIN_ALBUMS:
                count = max(4, default_track_count(rng))
                day = datetime.date.fromordinal(catalog.today.toordinal() - rng.randint(30, 9000))
                album = gen.album(
                    track_count=count,
                    album_type=album_type_for(count, rng),
                    release_day=day,
                    precision="day",
                )
                albums.append(album)
                tracks += count
        self.albums = albums
        self.artists = artists
        self.tracks = [TrackRef(t, a) for a in albums for t in a.tracks]


def _spaced_back(rng: random.Random, newest: int, count: int, gap: Sequence[int]) -> list[int]:
    """``count`` times going back from ``newest`` (newest first), ``gap`` ms apart at random."""
    if count == 0:
        return []
    times = [newest]
    for _ in range(count - 1):
        times.append(times[-1] - rng.randint(gap[0], gap[1]))
    return times


def _to_second(ms: int) -> int:
    return ms - ms % 1000


def _plays(
    rng: random.Random,
    pools: _Pools,
    favourites: list[TrackRef],
    playlists: list[str],
    now: int,
    count: int,
) -> list[Play]:
    """About three days of listening in sessions, newest a few minutes ago."""
    plays: list[Play] = []
    moment = now - rng.randint(2 * MINUTE, 10 * MINUTE)
    for i in range(count):
        ref = rng.choice(favourites) if rng.random() < 0.7 else rng.choice(pools.tracks)
        plays.append(Play(moment, ref, _context(rng, ref, playlists)))
        moment -= ref.track.duration_ms + rng.randint(0, 40_000)
        if i % 16 == 15:  # a break between listening sessions
            moment -= rng.randint(2 * HOUR, 14 * HOUR)
    return plays


def _context(rng: random.Random, ref: TrackRef, playlists: list[str]) -> Context | None:
    roll = rng.random()
    if roll < 0.5:
        return Context("album", ref.album.id)
    if roll < 0.75 and playlists:
        return Context("playlist", rng.choice(playlists))
    if roll < 0.85:
        return Context("artist", ref.track.artists[0].id)
    return None


def _episodes(rng: random.Random) -> list[Episode]:
    out = []
    for title, publisher in SHOWS:
        show = Show(new_id(rng), title, publisher, f"{title}, from {publisher}.", _hex(rng), 120)
        for n in range(2):
            out.append(
                Episode(
                    id=new_id(rng),
                    name=f"{title} #{rng.randint(10, 119)}",
                    show=show,
                    description=names.album_title(rng),
                    duration_ms=rng.randint(20, 90) * MINUTE,
                    release_date=f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
                    explicit=n == 1,
                    language="en",
                    image_key=_hex(rng),
                )
            )
    return out


def _playlist(
    rng: random.Random,
    plan: PlaylistPlan,
    pools: _Pools,
    owner: User,
    me: User,
    episodes: list[Episode],
    now: int,
) -> Playlist:
    if plan.collaborators is not None:
        collaborators = frozenset(plan.collaborators)
    elif plan.collaborative:
        collaborators = frozenset({"vinylvera"} if owner.id == me.id else {me.id})
    else:
        collaborators = frozenset()
    adders = [owner.id, *sorted(collaborators)]
    # Added in position order over up to a year, the last one a day or more ago.
    newest = _to_second(now - rng.randint(DAY, 20 * DAY))
    times = sorted(_spaced_back(rng, newest, plan.items, (MINUTE, 2 * DAY)))
    picked = rng.sample(pools.tracks, min(plan.items, len(pools.tracks)))
    items: list[Position] = []
    for position in range(plan.items):
        if position in plan.null_at:
            items.append(None)
            continue
        entry: TrackRef | Episode | LocalFile | None
        if position in plan.local_at:
            entry = LocalFile(
                names.artist_name(rng),
                names.album_title(rng),
                names.track_title(rng, 1),
                rng.randint(120, 360),
            )
        elif position in plan.episode_at:
            entry = rng.choice(episodes)
        elif position in plan.unavailable_at:
            entry = None
        else:
            entry = picked[position % len(picked)]
        items.append(PlaylistItem(_to_second(times[position]), rng.choice(adders), entry))
    return Playlist(
        id=new_id(rng),
        name=plan.name,
        owner=owner.id,
        description=plan.description,
        public=plan.public and not plan.collaborative,
        collaborative=plan.collaborative,
        collaborators=collaborators,
        items=items,
        version=rng.randint(2, 40),
        custom_image=_hex(rng) if plan.custom_image else None,
    )


def _top(rng: random.Random, favourites: Sequence[object], count: int) -> list[int]:
    """Indexes into favourites for one time range: mostly the front, some further back."""
    head = list(range(min(len(favourites), count + count // 2)))
    rng.shuffle(head)
    return head[:count]


def _pick(
    rng: random.Random, pool: Sequence[T], count: int, shared: Sequence[T], key: Callable[[T], str]
) -> list[T]:
    """``count`` of the pool at random, ``shared`` (another listener's) among them."""
    if not shared:
        return rng.sample(pool, min(count, len(pool)))
    shared = shared[:count]
    taken = {key(x) for x in shared}
    rest = [x for x in pool if key(x) not in taken]
    picks = [*shared, *rng.sample(rest, min(count - len(shared), len(rest)))]
    rng.shuffle(picks)
    return picks


def _saved(rng: random.Random, items: list[T], newest: int, gap: tuple[int, int]) -> list[Saved[T]]:
    """Saves of ``items`` in this order (newest first), ``gap`` ms apart at random."""
    times = _spaced_back(rng, _to_second(newest), len(items), gap)
    return [Saved(_to_second(t), item) for t, item in zip(times, items, strict=True)]


def _shared(partner: Library | None, kind: str, count: int) -> list[Any]:
    """The first ``count`` saves (pre-saves aside) or follows of another listener."""
    if partner is None or count == 0:
        return []
    found = getattr(partner, kind)
    items = [s.item for s in found if not s.pre_save] if kind != "followed" else list(found)
    return items[:count]


def _library(
    rng: random.Random,
    plan: ListenerPlan,
    user: User,
    pools: _Pools,
    playlists: list[Playlist],
    now_ms: int,
    partner: Library | None,
) -> Library:
    """Plays, top lists, saves and follows of one listener; some of ``partner``'s saves
    and follows are theirs too."""
    owned = [p.id for p in playlists if p.owner == user.id]
    favourites = rng.sample(pools.tracks, min(plan.favourites, len(pools.tracks)))
    top_tracks = {}
    for time_range, count in zip(TIME_RANGES, plan.top, strict=True):
        rng.shuffle(favourites)
        top_tracks[time_range] = [favourites[i] for i in _top(rng, favourites, count)]
    # Artists of favourite tracks first, then the rest of the pool (by id: Artist
    # is a mutable dataclass, not hashable).
    loved = {a.id: a for ref in favourites for a in ref.track.artists}
    loved.update((a.id, a) for a in pools.artists if a.id not in loved)
    loved_artists = [a for a in loved.values() if a.name != names.VARIOUS_ARTISTS]
    top_artists = {}
    for time_range, count in zip(TIME_RANGES, plan.top, strict=True):
        pick = loved_artists[: count * 2]
        rng.shuffle(pick)
        top_artists[time_range] = pick[:count]

    shared = plan.shared if partner is not None else 0
    tracks = _pick(
        rng, pools.tracks, plan.saved_tracks, _shared(partner, "saved_tracks", 2 * shared),
        lambda r: r.track.id,
    )
    saved_tracks = _saved(rng, tracks, now_ms - rng.randint(DAY, 3 * DAY), (HOUR, 10 * DAY))
    albums = _pick(
        rng, pools.albums, plan.saved_albums, _shared(partner, "saved_albums", shared),
        lambda a: a.id,
    )
    saved_albums = _saved(rng, albums, now_ms - rng.randint(DAY, 5 * DAY), (DAY, 30 * DAY))
    followed = _pick(
        rng, pools.artists, plan.followed, _shared(partner, "followed", 2 * shared),
        lambda a: a.id,
    )
    return Library(
        user=user,
        plays=_plays(rng, pools, favourites, owned, now_ms, plan.plays),
        top_tracks=top_tracks,
        top_artists=top_artists,
        saved_tracks=saved_tracks,
        saved_albums=saved_albums,
        followed=followed,
        playlist_ids=[p.id for p in playlists],
    )


def _pre_saves(seed: int, user_id: str, pools: _Pools, now_ms: int) -> list[Saved[Album]]:
    """Two pre-saved albums: one released weeks from now, one years ago; each saved
    "at" its release (see pre_save_moment). From the listener's own RNG stream."""
    rng = random.Random(f"spotify-emulator/users/{seed}/{user_id}/pre-saves")
    today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.timezone.utc).date()
    gen = AlbumGenerator(rng, pools.artists, Artist(new_id(rng), names.VARIOUS_ARTISTS))
    saves = []
    for days in (rng.randint(*PRE_SAVE_AHEAD), -rng.randint(*PRE_SAVE_BACK)):
        day = today + datetime.timedelta(days=days)
        count = rng.randint(8, 14)
        album = gen.album(track_count=count, album_type="album", release_day=day, precision="day")
        saves.append(Saved(pre_save_moment(day), album, pre_save=True))
    return saves


def _place(saved: list[Saved[T]], pre: Sequence[Saved[T]], keep_count: bool) -> list[Saved[T]]:
    """``saved`` with the pre-saves at PRE_SAVE_POSITIONS: in place of the saves there
    (``keep_count``), or between them."""
    out = list(saved)
    for position, save in zip(PRE_SAVE_POSITIONS, pre, strict=True):
        if keep_count and out:
            out[min(position, len(out) - 1)] = save
        else:
            out.insert(min(position, len(out)), save)
    return out


def _add_pre_saves(library: Library, pre: list[Saved[Album]], keep_count: bool) -> None:
    """Put the pre-saved albums, and the first track of each, into the library."""
    library.saved_albums = _place(library.saved_albums, pre, keep_count)
    tracks = [Saved(s.added_at, TrackRef(s.item.tracks[0], s.item), pre_save=True) for s in pre]
    library.saved_tracks = _place(library.saved_tracks, tracks, keep_count)


def _listener(plan: ListenerPlan, rng: random.Random) -> User:
    return User(
        plan.id,
        plan.display_name,
        plan.country,
        email=plan.email,
        product=plan.product,
        followers=plan.followers,
        image_key=_hex(rng) if plan.has_image else None,
        explicit_filter=plan.explicit_filter,
    )


def generate_users(catalog: Catalog, seed: int, now_ms: int) -> UserData:
    """The whole user side for a seed, its times laid out back from ``now_ms``."""
    rng = random.Random(f"spotify-emulator/users/{seed}")
    pools = _Pools(catalog, rng)
    me = _listener(DEFAULT_PLAN, rng)
    people = {"me": me, **_others(rng)}
    episodes = _episodes(rng)
    playlists = {
        plan.name: _playlist(rng, plan, pools, people[plan.owner], me, episodes, now_ms)
        for plan in DEFAULT_PLAN.playlists
    }
    listed = list(playlists.values())
    libraries = {me.id: _library(rng, DEFAULT_PLAN, me, pools, listed, now_ms, None)}
    _add_pre_saves(libraries[me.id], _pre_saves(seed, me.id, pools, now_ms), keep_count=True)
    for plan in HOUSEHOLD:
        own_rng = random.Random(f"spotify-emulator/users/{seed}/{plan.id}")
        user = _listener(plan, own_rng)
        people[user.id] = user
        for owned in plan.playlists:
            playlists[owned.name] = _playlist(own_rng, owned, pools, user, user, episodes, now_ms)
        listed = [playlists[p.name] for p in plan.playlists]
        listed += [playlists[name] for name in plan.follows]
        partner = libraries[plan.shares_with] if plan.shares_with else None
        library = _library(own_rng, plan, user, pools, listed, now_ms, partner)
        _add_pre_saves(library, _pre_saves(seed, user.id, pools, now_ms), keep_count=False)
        libraries[user.id] = library
    return UserData(
        users={u.id: u for u in people.values()},
        libraries=libraries,
        playlists={p.id: p for p in playlists.values()},
        track_pool=pools.tracks,
        artist_pool=pools.artists,
        album_pool=pools.albums,
    )


# ------------------------------------------------------------ live additions
def times_between(after: int, now: int, count: int, step: int, unit: int = 1) -> list[int]:
    """``count`` strictly increasing times in ``(after, now]``, oldest first, the last at
    ``now``: ``step`` ms apart where there is room, closer where there is not, and
    only past ``now`` when not even ``unit`` apart fits (calls within milliseconds).
    """
    fitting = (now - after) // count // unit * unit
    step = max(unit, min(step, fitting))
    start = max(after + step, now - (count - 1) * step)
    return [start + i * step for i in range(count)]


def new_artist(rng: random.Random) -> Artist:
    return Artist(new_id(rng), names.artist_name(rng))


def context_for(rng: random.Random, ref: TrackRef, playlists: list[str]) -> Context | None:
    """A play context for a live play (same mix as the seeded ones)."""
    return _context(rng, ref, playlists)


def pre_save_moment(release_day: datetime.date) -> int:
    """A pre-save's ``added_at``: the release day's first moment in Central European time
    (``2026-02-12T23:00:00Z`` for a 13 February release), as Spotify records them."""
    midnight = datetime.datetime.combine(release_day, datetime.time(), datetime.timezone.utc)
    return int(midnight.timestamp() * 1000) - HOUR
