"""The run's one HTTP session, and the limits it holds every answer to.

A server can trickle its headers a byte at a time, send a body that never ends or a
small one that inflates to gigabytes, or redirect the token elsewhere. So:
- each request has a deadline for the whole exchange, headers included: a watchdog
  shuts the socket of a request that outlives it;
- bodies are read here, capped on the wire and once inflated (by size and by ratio);
- redirects are never followed (the credentials would go with them);
- one 429 pauses every worker (`RateGate`): the limit covers the whole app.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import itertools
import os
import socket
import threading
import time
import typing as t
import zlib
from urllib.parse import urlparse

import requests
import urllib3
import urllib3.connection
from requests.adapters import HTTPAdapter

from tap_spotify.errors import BodyTooLarge, RequestDeadline

#: Connecting gets no longer than this, within the request's whole deadline.
CONNECT_TIMEOUT_SECONDS = 10.0
#: No Spotify answer comes near this, on the wire or inflated (a page of 50 full
#: tracks with every market is about 1 MB)...
MAX_BODY_BYTES = 64 << 20
#: ...nor inflates to more than this many times its compressed size (JSON with
#: market lists compresses about 20 times).
MAX_INFLATE_RATIO = 500
#: Only gzip is asked for, and inflated here under the caps above.
ACCEPT_ENCODING = "gzip"
CHUNK = 1 << 16


class Watch:
    """One request's deadline; shuts its socket when the deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.sock: socket.socket | None = None
        self.fired = False
        self.timer = threading.Timer(seconds, self.fire)
        self.timer.daemon = True

    def fire(self) -> None:
        self.fired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)

    def passed(self) -> bool:
        return self.fired or time.monotonic() > self.ends


#: The watch of the request this thread is sending.
WATCH: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("watch", default=None)


class Watched:
    """A connection that hands its socket to the request's watch before reading the
    answer (a mixin for urllib3's connections)."""

    sock: socket.socket | None

    def getresponse(self) -> urllib3.HTTPResponse:
        watch = WATCH.get()
        if watch is not None:
            watch.sock = self.sock
        return super().getresponse()  # type: ignore[misc,no-any-return]


class WatchedHTTPConnection(Watched, urllib3.connection.HTTPConnection):  # type: ignore[misc]
    pass


class WatchedHTTPSConnection(Watched, urllib3.connection.HTTPSConnection):  # type: ignore[misc]
    pass


class WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


WATCHED_POOLS = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """requests' adapter, with the deadline and the body caps."""

    def __init__(self, deadline: float, pool_size: int) -> None:
        self.deadline = deadline
        super().__init__(pool_connections=2, pool_maxsize=pool_size)

    def init_poolmanager(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(WATCHED_POOLS)

    def proxy_manager_for(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = dict(WATCHED_POOLS)
        return manager

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: t.Any = None, **kwargs: t.Any) -> requests.Response:
        watch = Watch(self.deadline)
        token = WATCH.set(watch)
        watch.timer.start()
        host = urlparse(request.url or "").netloc
        try:
            response = super().send(request, stream=True, **kwargs, timeout=(
                min(CONNECT_TIMEOUT_SECONDS, self.deadline), self.deadline))
            try:
                wire = read_capped(response.raw, watch, host)
            finally:
                response.close()
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
                OSError) as exc:
            if watch.passed() and not isinstance(exc, (RequestDeadline, BodyTooLarge)):
                raise self.too_slow(host, request) from None
            raise
        finally:
            watch.timer.cancel()
            WATCH.reset(token)
        raw = response.raw
        headers = urllib3.HTTPHeaderDict(raw.headers)
        body = wire
        if headers.get("Content-Encoding", "").strip().lower() in ("gzip", "x-gzip"):
            body = inflate(wire, host, request)
            del headers["Content-Encoding"]
            headers["Content-Length"] = str(len(body))
        built = urllib3.HTTPResponse(body=io.BytesIO(body), headers=headers, status=raw.status,
                                     reason=raw.reason, preload_content=False,
                                     decode_content=False)
        return self.build_response(request, built)

    def too_slow(self, host: str, request: requests.PreparedRequest) -> RequestDeadline:
        return RequestDeadline(f"{host} took longer than {self.deadline:.0f} s (request_timeout) "
                               "to answer one request", request=request)


def read_capped(raw: urllib3.HTTPResponse, watch: Watch, host: str) -> bytes:
    """The body as sent (still compressed), within the deadline and the size cap."""
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := raw.read1(CHUNK, decode_content=False):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BodyTooLarge(f"{host} sent more than {MAX_BODY_BYTES >> 20} MiB in one "
                                   "answer, far more than any Spotify answer")
            if watch.passed():
                raise RequestDeadline(f"{host} took longer than {watch.seconds:.0f} s "
                                      "(request_timeout) to answer one request")
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from None
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    return b"".join(chunks)


def inflate(data: bytes, host: str, request: requests.PreparedRequest) -> bytes:
    """A gzip body inflated a chunk at a time, never past the caps."""
    limit = min(MAX_BODY_BYTES, max(1 << 20, len(data) * MAX_INFLATE_RATIO))
    inflater = zlib.decompressobj(wbits=31)
    out = bytearray()
    pending = data
    try:
        while pending:
            out += inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            if len(out) > limit:
                raise BodyTooLarge(
                    f"{host} sent a compressed answer that inflates past "
                    f"{limit >> 20} MiB ({MAX_BODY_BYTES >> 20} MiB at most, and at most "
                    f"{MAX_INFLATE_RATIO} times its compressed size), far more than any "
                    "Spotify answer", request=request)
        out += inflater.flush()
    except zlib.error as exc:
        raise requests.exceptions.ContentDecodingError(
            f"{host} sent a gzip body that cannot be read ({exc})", request=request) from None
    return bytes(out)


class RateGate:
    """Holds every request while Spotify has asked the app to back off: one rate
    limit covers the whole app, so one 429 pauses all workers."""

    def __init__(self) -> None:
        self.resume_at = 0.0
        self.lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.resume_at = max(self.resume_at, time.monotonic() + seconds)

    def wait(self) -> None:
        while (delay := self.resume_at - time.monotonic()) > 0:
            time.sleep(delay)


class SpotifySession(requests.Session):
    """The run's one session: deadlines, caps, no redirects, the shared pause, and a
    count of the requests sent."""

    def __init__(self, *, pool_size: int, deadline: float) -> None:
        super().__init__()
        adapter = GuardedAdapter(deadline, pool_size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.headers["Accept-Encoding"] = ACCEPT_ENCODING
        # requests reads the CA variables only in `Session.request`; the SDK calls `send`.
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
            "CURL_CA_BUNDLE") or True
        self.gate = RateGate()
        self.counter = itertools.count(1)
        self.requests_sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        kwargs["allow_redirects"] = False  # a redirect is an answer (errors.classify)
        self.gate.wait()
        self.requests_sent = next(self.counter)
        return super().send(request, **kwargs)
