"""Query parameters as the Web API reads them, with its 400 messages."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tap_spotify.spotify import MAX_PAGE_SIZE

from ..catalog.model import is_valid_id
from .messages import ApiError

#: A request's query parameters, and the named groups of its route's pattern.
Query = Mapping[str, str]
PathParams = Mapping[str, str]

_MARKET = re.compile(r"^[A-Za-z]{2}$")


def int_param(params: Query, name: str, default: int, lo: int, hi: int | None, message: str) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, message) from None
    if value < lo or (hi is not None and value > hi):
        raise ApiError(400, message)
    return value


def limit_param(params: Query, default: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """``limit``, 1 to ``maximum`` (Spotify's page cap unless told): else 400 Invalid limit."""
    return int_param(params, "limit", default, 1, maximum, "Invalid limit")


def offset_param(params: Query, maximum: int | None = None) -> int:
    return int_param(params, "offset", 0, 0, maximum, "Invalid offset")


def market_param(params: Query, name: str = "market") -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not _MARKET.match(raw):
        raise ApiError(400, "Invalid market code")
    return raw.upper()


def id_param(value: str | None) -> str:
    """A path id that must be a 22-character base62 Spotify id."""
    if value is None or not is_valid_id(value):
        raise ApiError(400, "invalid id")
    return value
