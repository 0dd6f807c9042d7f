"""The small part of /v1/search the emulator supports: albums, ``tag:new`` and words."""

from __future__ import annotations

import shlex

from .model import Album, Catalog

#: Search types the real API accepts; only albums have results here.
SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
#: Days covered by ``tag:new`` ("albums released in the past two weeks").
TAG_NEW_DAYS = 14


def _terms(query: str) -> tuple[bool, list[str]]:
    try:
        parts = shlex.split(query)
    except ValueError:
        parts = query.split()
    tag_new = False
    words: list[str] = []
    for part in parts:
        if part.lower() == "tag:new":
            tag_new = True
        else:
            # Field filters (artist:x, album:x) are matched as plain words.
            words.append(part.split(":", 1)[-1].casefold())
    return tag_new, [w for w in words if w]


def search_albums(catalog: Catalog, query: str, market: str | None) -> list[Album]:
    """Matching, available albums: newest first, then by id (a stable "relevance").

    Every word must appear in the album name or one of its artists' names.
    ``tag:new`` keeps albums released in the past two weeks (see Catalog.is_new);
    with a market, only albums available there.
    """
    tag_new, words = _terms(query)
    found = []
    for album in catalog.albums.values():
        if not album.available:
            continue
        if tag_new and not catalog.is_new(album, TAG_NEW_DAYS):
            continue
        if market is not None and market not in album.markets:
            continue
        if words:
            text = " ".join([album.name, *(a.name for a in album.artists)]).casefold()
            if not all(w in text for w in words):
                continue
        found.append(album)
    found.sort(key=lambda a: (-a.release_window[0].toordinal(), a.id))
    return found
