"""Hostile behaviours: a server that lies, loops or dawdles, for a client's robustness tests.

All off by default. They are set from ``EmulatorOptions`` (same field names), at
runtime with ``backend.set_hostile(**changes)``, or over HTTP with
``POST /_emulator/hostile?name=value&...`` (no parameters: everything off).

* ``next_base``: paging objects' ``next`` links use this base (``http://host:port/v1``)
  instead of the emulator's own ``/v1``; href and previous are unchanged.
* ``loop_next``: every page's ``next`` is the FIRST page (same limit, offset 0), never null.
* ``total``: every paging object reports this ``total``; ``next`` still follows the
  real data (null at the real end) unless ``loop_next`` is on too.
* ``ignore_offset``: listings and track pages serve offset 0's items whatever the
  offset asked (``next``/``total`` as if it had been honoured).
* ``trickle_ms``: API and token response bodies are written one byte at a time with
  this pause between bytes (headers, with a correct Content-Length, go out at once).
* ``retry_after_raw``: the scripted 429's ``Retry-After`` header is this string
  verbatim (``inf``, ``1e12``, an HTTP date ...).
* ``status_for`` + ``status_code``: requests whose path starts with ``status_for``
  answer ``status_code`` with Spotify's error body (an unexpected 4xx or 5xx).
"""

from __future__ import annotations

import dataclasses
import http
from typing import Any

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


@dataclasses.dataclass(frozen=True)
class Hostile:
    """One immutable set of hostile settings (replaced whole, so readers never see half)."""

    next_base: str | None = None
    loop_next: bool = False
    total: int | None = None
    ignore_offset: bool = False
    trickle_ms: float = 0.0
    retry_after_raw: str | None = None
    status_for: str | None = None
    status_code: int = 404

    def validate(self) -> None:
        """Fail early with a clear message instead of misbehaving mid-test."""
        if self.total is not None and self.total < 0:
            raise ValueError("total must be >= 0 or None")
        if self.trickle_ms < 0:
            raise ValueError("trickle_ms must be >= 0")
        if not 400 <= self.status_code <= 599:
            raise ValueError("status_code must be an error status, 400..599")
        if self.status_for is not None and not self.status_for.startswith("/"):
            raise ValueError("status_for must be a path prefix starting with '/'")
        raw = self.retry_after_raw
        if raw is not None and (any(c in raw for c in "\r\n") or not raw.isprintable()):
            raise ValueError("retry_after_raw must be one printable line")
        if raw is not None and not _is_latin1(raw):
            raise ValueError("retry_after_raw must be latin-1 (an HTTP header value)")

    @property
    def changes_paging(self) -> bool:
        """Whether rendered paging objects differ from Spotify's."""
        return (
            self.next_base is not None
            or self.loop_next
            or self.total is not None
            or self.ignore_offset
        )

    def status_message(self) -> str:
        return STATUS_MESSAGES.get(self.status_code) or _phrase(self.status_code)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: Names accepted by ``set_hostile`` and ``POST /_emulator/hostile``.
HOSTILE_FIELDS = tuple(f.name for f in dataclasses.fields(Hostile))


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


def _is_latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
