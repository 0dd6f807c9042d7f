"""Who listens: the plans of the emulator's listeners, a household a Development Mode app
can serve (at most five allow-listed users), and what they share.

* ``listener`` (Léa, the default): the data every older test counts on, unchanged.
* ``alice``: shares saved albums, tracks and followed artists with ``listener``; follows
  listener's "Exactly a hundred" and Spotify's "Fresh Finds"; owns "Alice & Bob"
  (collaborative, bob collaborates), which holds a ``null`` entry and an entry whose
  ``item`` is null.
* ``bob``: fewer plays than the 50 readable; shares saves and follows with ``alice``;
  collaborates on "Alice & Bob"; follows "Fresh Finds" too.
* ``carol``: a new, free account: three plays, no short-term top items, only the two
  pre-saves among her saved albums, an empty playlist; follows "Alice & Bob" without
  collaborating (so a Development Mode app may not read its items for her).

Every listener's saved albums and tracks include two pre-saves (see generate.py): for
``listener`` in place of two saves, so its counts stay as they were; for the others on
top of the counts below.
"""

from __future__ import annotations

import dataclasses

DEFAULT_LISTENER = "listener"
#: Spotify's limit on a Development Mode app's allowlist.
MAX_ALLOWLIST = 5


@dataclasses.dataclass(frozen=True)
class PlaylistPlan:
    name: str
    owner: str  # a listener's id, or a key of generate.OTHERS
    items: int
    public: bool = True
    collaborative: bool = False
    description: str = ""
    custom_image: bool = False
    #: Users besides the owner who may edit it; None: the generator's default choice.
    collaborators: tuple[str, ...] | None = None
    #: Positions holding a local file / an episode instead of a catalog track.
    local_at: tuple[int, ...] = ()
    episode_at: tuple[int, ...] = ()
    #: Positions sent as a bare ``null`` / as an entry whose ``item`` is null.
    null_at: tuple[int, ...] = ()
    unavailable_at: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class ListenerPlan:
    """One listener: profile, how much of everything, and what they share."""

    id: str
    display_name: str
    country: str
    product: str = "premium"
    followers: int = 0
    has_image: bool = True
    explicit_filter: bool = False
    plays: int = 80
    #: Top items per time range (short, medium, long term).
    top: tuple[int, int, int] = (30, 50, 75)
    favourites: int = 200
    saved_tracks: int = 130
    saved_albums: int = 25
    followed: int = 70
    #: Playlists they own, in /me/playlists order.
    playlists: tuple[PlaylistPlan, ...] = ()
    #: Names of others' playlists they follow or collaborate on, listed after their own.
    follows: tuple[str, ...] = ()
    #: The listener whose first saves and follows they share, and how many albums
    #: (twice as many tracks and followed artists).
    shares_with: str | None = None
    shared: int = 0

    @property
    def email(self) -> str:
        return f"{self.id}@example.com"


#: The default listener's playlists in /me/playlists order: owned, collaborative,
#: followed. Sizes cover an empty one, one item, page boundaries (50, 100, 101) and 230.
DEFAULT_PLAYLISTS = (
    PlaylistPlan("Everything I love", "me", 230, local_at=(3,), episode_at=(7,)),
    PlaylistPlan("Drafts", "me", 0, public=False),
    PlaylistPlan("One song", "me", 1),
    PlaylistPlan("Road trip 🚐", "me", 62, public=False, collaborative=True),
    PlaylistPlan("Exactly a hundred", "me", 100),
    PlaylistPlan("A hundred and one", "me", 101, public=False),
    PlaylistPlan("Friday mix", "friend", 40, public=False, collaborative=True),
    PlaylistPlan("Kärlek & Saudade", "numeric", 30),
    PlaylistPlan("Missing: the rest", "legacy", 17, description="Missing: Metrik - Techtonic;"),
    PlaylistPlan(
        "Fresh Finds",
        "spotify",
        50,
        custom_image=True,
        description="The best new music, updated every Friday.",
    ),
    PlaylistPlan("Morning", "me", 7, description="Slow start, no skips"),
    PlaylistPlan("Podcasts & more", "me", 5, local_at=(1,), episode_at=(0, 3)),
)

DEFAULT_PLAN = ListenerPlan(
    DEFAULT_LISTENER, "Léa Listener", "SE", followers=21, playlists=DEFAULT_PLAYLISTS
)

HOUSEHOLD = (
    ListenerPlan(
        "alice",
        "Alice Andersson",
        "SE",
        followers=4,
        plays=120,
        top=(10, 25, 40),
        favourites=80,
        saved_tracks=60,
        saved_albums=12,
        followed=20,
        playlists=(
            PlaylistPlan(
                "Alice & Bob",
                "alice",
                45,
                public=False,
                collaborative=True,
                collaborators=("bob",),
                null_at=(4,),
                unavailable_at=(5,),
            ),
            PlaylistPlan("Alice's gems", "alice", 8, description="Keepers only"),
        ),
        follows=("Exactly a hundred", "Fresh Finds"),
        shares_with=DEFAULT_LISTENER,
        shared=5,
    ),
    ListenerPlan(
        "bob",
        "Bob Okafor",
        "GB",
        followers=1,
        plays=45,
        top=(5, 15, 30),
        favourites=50,
        saved_tracks=25,
        saved_albums=6,
        followed=12,
        playlists=(PlaylistPlan("Bob's workout", "bob", 20),),
        follows=("Alice & Bob", "Fresh Finds"),
        shares_with="alice",
        shared=3,
    ),
    ListenerPlan(
        "carol",
        "Carol Nakamura",
        "JP",
        product="free",
        has_image=False,
        explicit_filter=True,
        plays=3,
        top=(0, 2, 5),
        favourites=10,
        saved_tracks=4,
        saved_albums=0,
        followed=2,
        playlists=(PlaylistPlan("Someday", "carol", 0, public=False),),
        follows=("Alice & Bob",),
        shares_with="bob",
        shared=1,
    ),
)

PLANS = (DEFAULT_PLAN, *HOUSEHOLD)
#: Every listener's id, the default first.
LISTENERS = tuple(plan.id for plan in PLANS)
