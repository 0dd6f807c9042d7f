"""Seeded generation of the user side: the default listener, a few other people, and
the listener's plays, top lists, saved tracks and albums, follows and playlists.

Everything but the times is a pure function of the seed and the catalog.  Times
are laid out backwards from the moment of generation (the wall clock), so plays
are "the last few days" whenever a test runs, and a client comparing them with
its own clock (as the Singer SDK's bookmark signpost does) sees the past.
Catalog tracks and albums are reused; when the catalog is too small for the
counts below, extra albums exist for the user side alone (not listed, searched
or fetchable through the catalog endpoints).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import random
from collections.abc import Sequence

from . import names
from .catalog import Artist, Catalog, new_id
from .generate import _Generator, album_type_for, default_track_count  # extras, own RNG
from .users import (
    TIME_RANGES,
    Context,
    Episode,
    Library,
    LocalFile,
    Play,
    Playlist,
    PlaylistItem,
    SavedAlbum,
    SavedTrack,
    Show,
    TrackRef,
    User,
    UserData,
)

DEFAULT_USER_ID = "listener"
PLAYS = 80
TOP_COUNTS = {"short_term": 30, "medium_term": 50, "long_term": 75}
SAVED_TRACKS = 130
SAVED_ALBUMS = 25
FOLLOWED = 70
#: Below these pool sizes, extra albums and artists are made for the user side.
MIN_TRACKS = 400
MIN_ALBUMS = 60
MIN_ARTISTS = 150
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

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


@dataclasses.dataclass(frozen=True)
class _PlaylistPlan:
    name: str
    owner: str  # "me" or a key of _OTHERS
    items: int
    public: bool = True
    collaborative: bool = False
    description: str = ""
    custom_image: bool = False
    #: Positions holding a local file / an episode instead of a catalog track.
    local_at: tuple[int, ...] = ()
    episode_at: tuple[int, ...] = ()


#: The listener's playlists in /me/playlists order: owned, collaborative, followed.
#: Sizes cover an empty one, one item, the page boundaries 100/101 and 230 (3 pages).
PLAYLIST_PLANS = (
    _PlaylistPlan("Everything I love", "me", 230, local_at=(3,), episode_at=(7,)),
    _PlaylistPlan("Drafts", "me", 0, public=False),
    _PlaylistPlan("One song", "me", 1),
    _PlaylistPlan("Road trip 🚐", "me", 62, public=False, collaborative=True),
    _PlaylistPlan("Exactly a hundred", "me", 100),
    _PlaylistPlan("A hundred and one", "me", 101, public=False),
    _PlaylistPlan("Friday mix", "friend", 40, public=False, collaborative=True),
    _PlaylistPlan("Kärlek & Saudade", "numeric", 30),
    _PlaylistPlan("Missing: the rest", "legacy", 17, description="Missing: Metrik - Techtonic;"),
    _PlaylistPlan(
        "Fresh Finds",
        "spotify",
        50,
        custom_image=True,
        description="The best new music, updated every Friday.",
    ),
    _PlaylistPlan("Morning", "me", 7, description="Slow start, no skips"),
    _PlaylistPlan("Podcasts & more", "me", 5, local_at=(1,), episode_at=(0, 3)),
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
            gen = _Generator(rng, artists, Artist(new_id(rng), names.VARIOUS_ARTISTS))
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
    times = [newest]
    for _ in range(count - 1):
        times.append(times[-1] - rng.randint(gap[0], gap[1]))
    return times


def _to_second(ms: int) -> int:
    return ms - ms % 1000


def _plays(
    rng: random.Random, pools: _Pools, favourites: list[TrackRef], playlists: list[str], now: int
) -> list[Play]:
    """About three days of listening in sessions, newest a few minutes ago."""
    plays: list[Play] = []
    moment = now - rng.randint(2 * MINUTE, 10 * MINUTE)
    for i in range(PLAYS):
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
    plan: _PlaylistPlan,
    pools: _Pools,
    owner: User,
    me: User,
    episodes: list[Episode],
    now: int,
) -> Playlist:
    collaborators = frozenset({me.id}) if plan.collaborative and owner.id != me.id else frozenset()
    if plan.collaborative and owner.id == me.id:
        collaborators = frozenset({"vinylvera"})
    adders = [owner.id, *sorted(collaborators)]
    # Added in position order over up to a year, the last one a day or more ago.
    newest = _to_second(now - rng.randint(DAY, 20 * DAY))
    times = sorted(_spaced_back(rng, newest, plan.items, (MINUTE, 2 * DAY)))
    picked = rng.sample(pools.tracks, min(plan.items, len(pools.tracks)))
    items = []
    for position in range(plan.items):
        entry: TrackRef | Episode | LocalFile
        if position in plan.local_at:
            entry = LocalFile(
                names.artist_name(rng),
                names.album_title(rng),
                names.track_title(rng, 1),
                rng.randint(120, 360),
            )
        elif position in plan.episode_at:
            entry = rng.choice(episodes)
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


def generate_users(catalog: Catalog, seed: int, now_ms: int) -> UserData:
    """The whole user side for a seed, its times laid out back from ``now_ms``."""
    rng = random.Random(f"spotify-emulator/users/{seed}")
    pools = _Pools(catalog, rng)
    me = User(
        DEFAULT_USER_ID,
        "Léa Listener",
        "SE",
        email="listener@example.com",
        product="premium",
        followers=21,
        image_key=_hex(rng),
    )
    others = _others(rng)
    people = {"me": me, **others}
    episodes = _episodes(rng)
    playlists = [
        _playlist(rng, plan, pools, people[plan.owner], me, episodes, now_ms)
        for plan in PLAYLIST_PLANS
    ]
    owned = [p.id for p in playlists if p.owner == me.id]

    favourites = rng.sample(pools.tracks, min(200, len(pools.tracks)))
    top_tracks = {}
    for time_range in TIME_RANGES:
        rng.shuffle(favourites)
        top_tracks[time_range] = [
            favourites[i] for i in _top(rng, favourites, TOP_COUNTS[time_range])
        ]
    # Artists of favourite tracks first, then the rest of the pool (by id: Artist
    # is a mutable dataclass, not hashable).
    loved = {a.id: a for ref in favourites for a in ref.track.artists}
    loved.update((a.id, a) for a in pools.artists if a.id not in loved)
    loved_artists = [a for a in loved.values() if a.name != names.VARIOUS_ARTISTS]
    top_artists = {}
    for time_range in TIME_RANGES:
        pick = loved_artists[: TOP_COUNTS[time_range] * 2]
        rng.shuffle(pick)
        top_artists[time_range] = pick[: TOP_COUNTS[time_range]]

    saved_refs = rng.sample(pools.tracks, min(SAVED_TRACKS, len(pools.tracks)))
    saved_times = _spaced_back(
        rng, _to_second(now_ms - rng.randint(DAY, 3 * DAY)), len(saved_refs), (HOUR, 10 * DAY)
    )
    saved_tracks = [
        SavedTrack(_to_second(t), r) for t, r in zip(saved_times, saved_refs, strict=True)
    ]
    album_picks = rng.sample(pools.albums, min(SAVED_ALBUMS, len(pools.albums)))
    album_times = _spaced_back(
        rng, _to_second(now_ms - rng.randint(DAY, 5 * DAY)), len(album_picks), (DAY, 30 * DAY)
    )
    saved_albums = [
        SavedAlbum(_to_second(t), a) for t, a in zip(album_times, album_picks, strict=True)
    ]
    followed = rng.sample(pools.artists, min(FOLLOWED, len(pools.artists)))

    library = Library(
        user=me,
        plays=_plays(rng, pools, favourites, owned, now_ms),
        top_tracks=top_tracks,
        top_artists=top_artists,
        saved_tracks=saved_tracks,
        saved_albums=saved_albums,
        followed=followed,
        playlist_ids=[p.id for p in playlists],
    )
    users = {u.id: u for u in people.values()}
    return UserData(
        users=users,
        libraries={me.id: library},
        playlists={p.id: p for p in playlists},
        default_user=me.id,
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
