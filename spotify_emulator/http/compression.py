"""gzip Content-Encoding, as the real API sends JSON to clients that accept it (and a
gzip bomb, for the hostile `gzip_bomb_for` switch).

Compressed bodies are cached by content: pages are assembled from cached
fragments, so the same bytes come back again and again and need compressing once.
"""

from __future__ import annotations

import threading
import zlib

#: Fast and still small for JSON.
LEVEL = 5
#: Bytes (plain + compressed) the cache may hold before it starts afresh.
CACHE_BYTES = 32 * 1024 * 1024
MIN_CACHED = 1024

_cache: dict[bytes, bytes] = {}
_cache_size = 0
_cache_lock = threading.Lock()


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (RFC 9110: q=0 refuses;
    an explicit ``gzip`` or ``x-gzip`` entry overrides ``*``)."""
    if not header:
        return False
    explicit: float | None = None
    wildcard: float | None = None
    for part in header.split(","):
        coding, _, params = part.partition(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            explicit = max(explicit or 0.0, _quality(params))
        elif coding == "*":
            wildcard = _quality(params)
    q = explicit if explicit is not None else wildcard
    return q is not None and q > 0


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def gzip_bytes(body: bytes) -> bytes:
    """``body`` as one gzip member (zlib writes mtime 0: same input, same bytes)."""
    cached = _cache.get(body)
    if cached is None:
        packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # wbits 31: gzip framing
        cached = packer.compress(body) + packer.flush()
        if len(body) >= MIN_CACHED:  # small ones (tokens, errors) are cheap and often unique
            _remember(body, cached)
    return cached


def _remember(body: bytes, packed: bytes) -> None:
    global _cache_size
    with _cache_lock:
        if _cache_size + len(body) + len(packed) > CACHE_BYTES:
            _cache.clear()
            _cache_size = 0
        _cache[body] = packed
        _cache_size += len(body) + len(packed)


#: Zero bytes fed to zlib at a time while a gzip bomb is built.
_BOMB_CHUNK = bytes(1 << 20)
_bombs: dict[int, bytes] = {}
_bombs_lock = threading.Lock()


def gzip_bomb(inflated: int) -> bytes:
    """A gzip member that inflates to ``inflated`` zero bytes (about 1,030 times its
    size): built once per process and size by streaming zeros through zlib, so the
    inflated bytes are never in memory; a client must refuse to inflate it all."""
    with _bombs_lock:
        bomb = _bombs.get(inflated)
        if bomb is None:
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            parts = []
            left = inflated
            while left:
                step = min(left, len(_BOMB_CHUNK))
                parts.append(packer.compress(_BOMB_CHUNK[:step]))
                left -= step
            parts.append(packer.flush())
            bomb = _bombs[inflated] = b"".join(parts)
    return bomb
