"""``/_emulator/catalog``, ``add_album`` and ``make_unavailable``: the catalog's admin
calls over HTTP (``backend.add_album`` ... in process). Routes are in http/routes.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..backend import SpotifyBackend
from ..fields import arg, parse_bool

Params = Mapping[str, str]


def _catalog(backend: SpotifyBackend, _: Params) -> Any:
    catalog = backend.catalog
    return {
        "today": catalog.today.isoformat(),
        "new_releases": list(catalog.new_release_ids),
        "tag_new": backend.tag_new_albums(),
        "albums": {
            a.id: {
                "name": a.name,
                "album_type": a.album_type,
                "total_tracks": a.total_tracks,
                "release_date": a.release_date,
                "release_date_precision": a.release_date_precision,
                "available": a.available,
            }
            for a in catalog.albums.values()
        },
    }


def _add_album(backend: SpotifyBackend, p: Params) -> Any:
    album_id = backend.add_album(
        release_date=p.get("release_date"),
        precision=p.get("precision", "day"),
        tracks=arg(p, "tracks", int, 12),
        list_first=arg(p, "list_first", parse_bool, True),
        listed=arg(p, "listed", parse_bool, True),
        name=p.get("name"),
        position=arg(p, "position", int, None),
    )
    return {"id": album_id}


def _make_unavailable(backend: SpotifyBackend, p: Params) -> Any:
    try:
        backend.make_unavailable(p.get("id", ""))
    except KeyError as exc:
        raise ValueError(f"unknown album id {p.get('id')!r}") from exc
    return {"unavailable": p["id"]}


#: Handlers by the names http/routes.py routes to.
CATALOG_ADMIN_HANDLERS: dict[str, Callable[[SpotifyBackend, Params], Any]] = {
    "catalog": _catalog,
    "add_album": _add_album,
    "make_unavailable": _make_unavailable,
}
