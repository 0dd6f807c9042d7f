"""Request, Response, JSON bytes and Spotify's error bodies: the vocabulary every
handler module shares (catalog/handlers.py, user/handlers.py, user/authorize.py), so
that none of them imports another.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


def dumps(value: Any) -> str:
    """Compact, UTF-8 friendly JSON (non-ASCII kept as is, like the real API)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumpb(value: Any) -> bytes:
    return dumps(value).encode("utf-8")


def raw_object(*fields: tuple[str, bytes]) -> bytes:
    """A JSON object from already encoded values, keys in the order given."""
    return b"{" + b",".join(dumpb(key) + b":" + value for key, value in fields) + b"}"


def raw_list(items: Sequence[bytes]) -> bytes:
    """A JSON array of already encoded values."""
    return b"[" + b",".join(items) + b"]"


@dataclasses.dataclass
class Request:
    """A parsed request; header names lower-case."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


@dataclasses.dataclass
class Response:
    """What to send; ``fault`` and the trickle fields tell the server how to misbehave."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    endpoint: str = "unknown"
    fault: str | None = None
    #: Pause between body bytes (hostile ``trickle_ms``); 0 sends the body at once.
    trickle_ms: float = 0.0
    #: Trickle the status line and headers too (hostile ``trickle_headers``).
    trickle_headers: bool = False


class ApiError(Exception):
    """A Web API error answered as {"error": {"status": N, "message": "..."}}."""

    def __init__(self, status: int, message: str, headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []

    def response(self) -> Response:
        return Response(self.status, error_body(self.status, self.message), headers=self.headers)


def error_body(status: int, message: str) -> bytes:
    return dumpb({"error": {"status": status, "message": message}})


def oauth_error(error: str, description: str | None = None) -> Response:
    """The token endpoint's 400: ``{"error": ..., "error_description": ...}``."""
    body: dict[str, str] = {"error": error}
    if description is not None:
        body["error_description"] = description
    return Response(400, dumpb(body), content_type="application/json")


def json_response(value: Any, status: int = 200) -> Response:
    """A plain JSON response (admin endpoints)."""
    return Response(status, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def text_response(status: int, text: str) -> Response:
    """A plain-text answer, as Spotify gives in a few places instead of its JSON error."""
    return Response(status, text.encode("utf-8"), content_type="text/plain; charset=utf-8")
