"""Hostile behaviours: a server that lies, loops, dawdles or attacks, for a client's
robustness tests.

All off by default. They are set from ``EmulatorOptions`` (which inherits these
fields, so the names are the same), at runtime with ``backend.set_hostile(**changes)``,
or over HTTP with ``POST /_emulator/hostile?name=value&...`` (no parameters: everything
off). Fields ending in ``_for`` are path prefixes (a tuple, or one comma-separated
string: ``"/v1/me,/v1/playlists"``); the request's path must start with one of them.

Paging and cursors

* ``next_base``: paging objects' ``next`` links use this base (``http://host:port/v1``)
  instead of the emulator's own ``/v1``; href and previous are unchanged.
* ``loop_next``: every page's ``next`` is the FIRST page (same limit, offset 0), never null.
* ``total``: every paging object reports this ``total``; ``next`` still follows the
  real data (null at the real end) unless ``loop_next`` is on too.
* ``ignore_offset``: listings and track pages serve offset 0's items whatever the
  offset asked (``next``/``total`` as if it had been honoured).
* ``ignore_after``: ``/me/player/recently-played`` ignores ``after``: always the newest plays.
* ``cursor_loop``: ``/me/following`` answers every page with the same first artists and
  a new ``after`` cursor (``loop1``, ``loop2`` ...), so only the content shows the loop.

Answers instead of the real one (checked in this order)

* ``redirect_for`` + ``redirect_code`` (default 302) + ``redirect_to``: a redirect to
  another host; ``Location`` is ``redirect_to`` followed by the request's path and query
  (``redirect_for=/api/token&redirect_code=307`` moves the token endpoint).
* ``status_for`` + ``status_code`` (+ ``status_message``): Spotify's error body with this
  status. ``status_message`` replaces the message; in it ``{authorization}`` stands for
  the request's Authorization header and ``{token}`` for the token alone.
  ``FORGED_MESSAGE`` echoes the token, clears the terminal and forges an error line;
  ``status_for=/v1/playlists/ID/items&status_code=403`` withholds one playlist's items.
* ``gzip_bomb_for`` + ``gzip_bomb_bytes``: a 200 with ``Content-Encoding: gzip`` whose body
  inflates to ``gzip_bomb_bytes`` zero bytes (default about 3 GB from about 3 MB; built
  once per process and size, without ever holding the inflated bytes).

Bodies bent out of shape (JSON 200 answers only)

* ``shape`` (names, see reshape.py) on the paths of ``shape_for`` (default every path):
  ``error_object`` (a 200 carrying Spotify's error object), ``list``/``string`` (the
  whole body), ``paging_list``/``paging_string`` (each paging object), ``junk_items``
  (``1, "a", null`` before the real items), ``next_number``/``next_object`` (``next``
  is 42 or ``{}``), ``album_without_id``, ``track_without_id``, ``numeric_release_date``
  (``2024``), ``malformed_user`` (``/me`` with ``id: 12, images: "x", followers: 5,
  display_name: {}``), ``expires_in_string`` (the token answer's ``expires_in: "soon"``).

The wire

* ``trickle_ms``: API and token response bodies are written one byte at a time with
  this pause between bytes (headers, with a correct Content-Length, go out at once
  unless ``trickle_headers`` is on: then the status line and headers trickle too).
* ``retry_after_raw``: the scripted 429's ``Retry-After`` header is this string
  verbatim (``inf``, ``1e12``, an HTTP date ...).
"""

# ruff: noqa: RUF009 - option() returns dataclasses.field(...), which ruff cannot tell

from __future__ import annotations

import dataclasses
import http
from typing import Any

from ..fields import option
from .reshape import SHAPES

GROUP = "hostile behaviours (robustness tests; all off by default)"
#: Path prefixes a switch applies to.
Prefixes = tuple[str, ...]
REDIRECT_CODES = (301, 302, 303, 307, 308)
#: About 3 GB of zeros, which gzip (level 9) packs into about 3 MB.
GZIP_BOMB_BYTES = 3_000_000_000
#: A ``status_message`` that echoes the access token, clears the screen, turns the
#: text red and forges a line of the tap's own error output.
FORGED_MESSAGE = "{authorization}\n\x1b[2J\x1b[31m\ntap-spotify: error: forged"
#: Messages of the error body for ``status_code``; other codes use the HTTP phrase.
STATUS_MESSAGES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Resource not found",
    429: "API rate limit exceeded",
    500: "Server error",
    502: "Bad gateway",
    503: "Service unavailable",
}
#: Fields holding path prefixes or names, given as tuples or comma-separated strings.
_LISTS = ("status_for", "redirect_for", "gzip_bomb_for", "shape", "shape_for")


@dataclasses.dataclass(frozen=True)
class Hostile:
    """One immutable set of hostile settings (replaced whole, so readers never see half)."""

    # paging and cursors
    next_base: str | None = option(
        None, "paging 'next' links use this base URL (e.g. http://127.0.0.2:PORT/v1)", group=GROUP
    )
    loop_next: bool = option(
        False, "every page's 'next' points back to the first page, never null", group=GROUP
    )
    total: int | None = option(
        None, "every paging object reports this total (next still follows the data)", group=GROUP
    )
    ignore_offset: bool = option(
        False, "listings and track pages serve offset 0's items whatever the offset", group=GROUP
    )
    ignore_after: bool = option(
        False, "recently-played ignores 'after' (always the newest plays)", group=GROUP
    )
    cursor_loop: bool = option(
        False, "/me/following: the same artists with a new 'after' cursor on every page",
        group=GROUP,
    )
    # answers instead of the real one
    redirect_for: Prefixes = option((), "path prefixes answered with a redirect", group=GROUP)
    redirect_code: int = option(302, f"status of those redirects, one of {REDIRECT_CODES}",
                                group=GROUP)
    redirect_to: str | None = option(
        None, "base URL the redirects go to (e.g. http://127.0.0.2:9)", group=GROUP
    )
    status_for: Prefixes = option(
        (), "path prefixes answered with --status-code and Spotify's error body", group=GROUP
    )
    status_code: int = option(404, "status of those answers", group=GROUP)
    status_message: str | None = option(
        None, "their message; {authorization} and {token} echo the request's", group=GROUP
    )
    gzip_bomb_for: Prefixes = option(
        (), "path prefixes answered with a gzip body inflating to --gzip-bomb-bytes",
        group=GROUP,
    )
    gzip_bomb_bytes: int = option(GZIP_BOMB_BYTES, "inflated size of that body", group=GROUP)
    # bodies bent out of shape
    shape: tuple[str, ...] = option((), f"body shapes out of {sorted(SHAPES)}", group=GROUP)
    shape_for: Prefixes = option(("/",), "path prefixes the shapes apply to", group=GROUP)
    # the wire
    trickle_ms: float = option(
        0.0, "write API and token bodies one byte at a time, this many ms apart", group=GROUP
    )
    trickle_headers: bool = option(
        False, "with --trickle-ms, trickle the status line and headers too", group=GROUP
    )
    retry_after_raw: str | None = option(
        None, "Retry-After header of the scripted 429, verbatim (inf, 1e12, an HTTP date)",
        group=GROUP,
    )

    def __post_init__(self) -> None:
        for name in _LISTS:
            value = getattr(self, name)
            if isinstance(value, str):
                value = value.split(",")
            object.__setattr__(self, name, tuple(v.strip() for v in value or () if v.strip()))

    def validate(self) -> None:
        """Fail early with a clear message instead of misbehaving mid-test."""
        if self.total is not None and self.total < 0:
            raise ValueError("total must be >= 0 or None")
        if self.trickle_ms < 0:
            raise ValueError("trickle_ms must be >= 0")
        if not 400 <= self.status_code <= 599:
            raise ValueError("status_code must be an error status, 400..599")
        if self.redirect_code not in REDIRECT_CODES:
            raise ValueError(f"redirect_code must be one of {REDIRECT_CODES}")
        if self.redirect_for and not self.redirect_to:
            raise ValueError("redirect_for needs redirect_to (where the redirects go)")
        if self.gzip_bomb_bytes < 1:
            raise ValueError("gzip_bomb_bytes must be >= 1")
        for name in ("status_for", "redirect_for", "gzip_bomb_for", "shape_for"):
            if any(not p.startswith("/") for p in getattr(self, name)):
                raise ValueError(f"{name} must be path prefixes starting with '/'")
        unknown = sorted(set(self.shape) - set(SHAPES))
        if unknown:
            raise ValueError(f"unknown shapes {unknown}; known: {sorted(SHAPES)}")
        for name in ("retry_after_raw", "redirect_to"):
            if not _is_header_value(getattr(self, name)):
                raise ValueError(f"{name} must be one printable latin-1 line (a header value)")

    @property
    def changes_paging(self) -> bool:
        """Whether rendered paging objects differ from Spotify's."""
        return (
            self.next_base is not None
            or self.loop_next
            or self.total is not None
            or self.ignore_offset
        )

    def status_message_for(self, authorization: str) -> str:
        """The message of a ``status_for`` answer to a request with this Authorization."""
        if self.status_message is None:
            return STATUS_MESSAGES.get(self.status_code) or _phrase(self.status_code)
        token = authorization.partition(" ")[2].strip()
        return self.status_message.replace("{authorization}", authorization).replace(
            "{token}", token
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: prefixes and shapes as lists."""
        out = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


#: Names accepted by ``set_hostile`` and ``POST /_emulator/hostile``.
HOSTILE_FIELDS = tuple(f.name for f in dataclasses.fields(Hostile))


def applies(prefixes: Prefixes, path: str) -> bool:
    """Whether a switch for these path prefixes applies to ``path``."""
    return any(path.startswith(p) for p in prefixes)


def hostile_settings(options: Any) -> Hostile:
    """The hostile settings held by an ``EmulatorOptions`` (same field names)."""
    return Hostile(**{name: getattr(options, name) for name in HOSTILE_FIELDS})


def changed(current: Hostile, **changes: Any) -> Hostile:
    """``current`` with some settings changed; no changes at all means everything off."""
    if not changes:
        return Hostile()
    unknown = set(changes) - set(HOSTILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown hostile settings {sorted(unknown)}; known: {HOSTILE_FIELDS}")
    new = dataclasses.replace(current, **changes)
    new.validate()
    return new


def _is_header_value(value: str | None) -> bool:
    if value is None:
        return True
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return value.isprintable() and not any(c in value for c in "\r\n")


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
