"""The hostile ``shape`` switch: named ways of bending a 200 answer's JSON out of shape.

Each shape is a function from the parsed body to the body sent instead; the
pipeline applies the chosen ones, in order, to JSON 200 answers on the paths of
``shape_for`` (see hostile.py). They work on any answer, so one shape covers every
endpoint where its object appears (an album without ``id`` in new releases, saved
albums and embedded in tracks alike).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JSON = Any
Shape = Callable[[JSON], JSON]

#: Listing items that are not objects, put before the real ones.
JUNK_ITEMS = (1, "a", None)


def _each_dict(value: JSON, change: Callable[[dict[str, Any]], JSON]) -> JSON:
    """``value`` with ``change`` applied to every object in it, innermost first."""
    if isinstance(value, list):
        return [_each_dict(v, change) for v in value]
    if isinstance(value, dict):
        return change({k: _each_dict(v, change) for k, v in value.items()})
    return value


def _is_paging(obj: dict[str, Any]) -> bool:
    """A paging object (offset- or cursor-based): items, next and href."""
    return isinstance(obj.get("items"), list) and "next" in obj and "href" in obj


def _on_paging(change: Callable[[dict[str, Any]], JSON]) -> Shape:
    return lambda body: _each_dict(body, lambda o: change(o) if _is_paging(o) else o)


def _on_type(kind: str, change: Callable[[dict[str, Any]], JSON]) -> Shape:
    return lambda body: _each_dict(body, lambda o: change(o) if o.get("type") == kind else o)


def _without(key: str) -> Callable[[dict[str, Any]], JSON]:
    return lambda obj: {k: v for k, v in obj.items() if k != key}


def _with(key: str, value: JSON) -> Callable[[dict[str, Any]], JSON]:
    return lambda obj: {**obj, key: value}


def _numeric_release_date(obj: dict[str, Any]) -> JSON:
    date = obj.get("release_date")
    if isinstance(date, str) and date[:4].isdigit():
        return {**obj, "release_date": int(date[:4])}
    return obj


def _malformed_user(body: JSON) -> JSON:
    if not (isinstance(body, dict) and body.get("type") == "user"):
        return body
    return {**body, "id": 12, "images": "x", "followers": 5, "display_name": {}}


def _expires_in_string(body: JSON) -> JSON:
    if isinstance(body, dict) and "expires_in" in body:
        return {**body, "expires_in": "soon"}
    return body


#: Every shape by name (``shape=junk_items,next_number``).
SHAPES: dict[str, Shape] = {
    # the whole body
    "error_object": lambda _: {"error": {"status": 500, "message": "Server error"}},
    "list": lambda body: [body],
    "string": lambda _: "OK",
    # paging objects (listings, track pages, cursor pages) wherever they are
    "paging_list": _on_paging(lambda page: page["items"]),
    "paging_string": _on_paging(lambda page: str(page["href"])),
    "junk_items": _on_paging(lambda page: {**page, "items": [*JUNK_ITEMS, *page["items"]]}),
    "next_number": _on_paging(_with("next", 42)),
    "next_object": _on_paging(_with("next", {})),
    # objects wherever they appear
    "album_without_id": _on_type("album", _without("id")),
    "track_without_id": _on_type("track", _without("id")),
    "numeric_release_date": lambda body: _each_dict(body, _numeric_release_date),
    # one answer
    "malformed_user": _malformed_user,
    "expires_in_string": _expires_in_string,
}


def reshape(body: JSON, names: tuple[str, ...]) -> JSON:
    """``body`` bent by each named shape in turn."""
    for name in names:
        body = SHAPES[name](body)
    return body
