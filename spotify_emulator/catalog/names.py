"""Word pools for generated names.

Several entries are deliberately non-ASCII (accents, Cyrillic, CJK, Arabic,
emoji) so that clients get exercised on UTF-8 in JSON and in their sinks.
"""

from __future__ import annotations

import random

ADJECTIVES = (
    "Silent",
    "Golden",
    "Electric",
    "Midnight",
    "Broken",
    "Neon",
    "Velvet",
    "Hidden",
    "Endless",
    "Crimson",
    "Paper",
    "Frozen",
    "Lucky",
    "Wild",
    "Quiet",
    "Bright",
    "Señorita",
    "Café",
    "Über",
    "Noir",
    "Dünya",
    "Ñandú",
    "Mañana",
    "Blå",
)
NOUNS = (
    "Hearts",
    "Rivers",
    "Echoes",
    "Summer",
    "Satellites",
    "Roads",
    "Mirrors",
    "Waves",
    "Machines",
    "Gardens",
    "Signals",
    "Horizons",
    "Shadows",
    "Lights",
    "Tides",
    "Ghosts",
    "Sterne",
    "Corazón",
    "Fjäril",
    "Straße",
    "Mémoire",
    "Saudade",
    "Kärlek",
    "Łąka",
)
FOREIGN_TITLES = (
    "東京の夜",
    "Москва-река",
    "سماء",
    "夜に駆ける",
    "서울 라이트",
    "Ελπίδα",
    "Çiçek",
    "Ça va ça vient",
    "Crème brûlée",
    "Jalapeño",
    "Zürich ☂",
    "Fiesta 🎉",
    "Ünïcödé",
)
FIRST = (
    "Ana",
    "Björn",
    "Chloé",
    "Dmitri",
    "Émile",
    "Farah",
    "Gustav",
    "Hana",
    "Iñigo",
    "Jun",
    "Kasia",
    "Léa",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Rafaël",
    "Søren",
    "Tomás",
    "Yuki",
    "Zoë",
    "Amara",
    "Leo",
    "Mia",
)
LAST = (
    "Moreno",
    "Lindqvist",
    "Dubois",
    "Ivanova",
    "Nakamura",
    "Okafor",
    "Schäfer",
    "García",
    "Kowalski",
    "Haddad",
    "Müller",
    "O'Neill",
    "Rossi",
    "Weiß",
    "Kim",
    "Novák",
)
BAND_PREFIX = ("The", "Los", "Les", "Die", "", "", "")
LABELS = (
    "Northern Lights Records",
    "Blue Fjord Music",
    "Disques Étoile",
    "Sonido Sur",
    "Hafen Records",
    "Kite Audio",
    "Neon Harbor",
    "Ruido Bonito",
    "Tōkyō Tracks",
    "Independent",
    "Mushroom Cloud Ltd.",
    "Paper Moon Recordings",
)
VARIOUS_ARTISTS = "Various Artists"


def album_title(rng: random.Random) -> str:
    """A short album title; about one in six is wholly non-ASCII."""
    roll = rng.random()
    if roll < 0.16:
        return rng.choice(FOREIGN_TITLES)
    if roll < 0.6:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    return rng.choice(NOUNS)


def track_title(rng: random.Random, index: int) -> str:
    """A track title; some carry featuring/remix suffixes like real ones."""
    base = album_title(rng)
    roll = rng.random()
    if roll < 0.08:
        return f"{base} - Remix"
    if roll < 0.14:
        return f"{base} (Interlude {index})"
    return base


def artist_name(rng: random.Random) -> str:
    """A person or band name."""
    if rng.random() < 0.5:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    prefix = rng.choice(BAND_PREFIX)
    body = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    return f"{prefix} {body}".strip()
