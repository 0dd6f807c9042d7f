"""The HTTP/1.1 layer: a threaded keep-alive server and the EmulatorServer handle.

Deliberately small: it parses a request, asks ``responses.handle`` (or the
admin routes) for a Response and writes status line, headers and body in ONE
``sendall`` on a TCP_NODELAY socket, so Nagle's algorithm and delayed ACKs
never add their ~40 ms to a request.  Wire faults (reset, truncated) are
carried out here because only this layer owns the socket.
"""

from __future__ import annotations

import contextlib
import http
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from types import TracebackType
from typing import Any

from .admin import handle_admin
from .backend import SpotifyBackend
from .options import EmulatorOptions
from .responses import Request, Response, error_body, handle

MAX_LINE = 65536
MAX_HEADERS = 100
POLL_INTERVAL = 0.05  # how long stop() may wait for the accept loop to notice


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _Handler(socketserver.StreamRequestHandler):
    """One client connection; serves requests until close or server stop."""

    disable_nagle_algorithm = True  # TCP_NODELAY, set by StreamRequestHandler.setup
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.request)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.request)

    def handle(self) -> None:
        try:
            while self._serve_one():
                pass
        except (ConnectionError, TimeoutError, ValueError, OSError):
            return  # client went away or the server is stopping

    def _serve_one(self) -> bool:
        """Serve one request; False when the connection must close."""
        line = self.rfile.readline(MAX_LINE + 1)
        while line in (b"\r\n", b"\n"):  # tolerate stray CRLF between requests
            line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return False
        start = time.monotonic()
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or len(line) > MAX_LINE:
            return self._send(Response(400, error_body(400, "Bad request")), False)
        method, target, version = parts
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS):
            raw = self.rfile.readline(MAX_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        else:
            return self._send(Response(431, error_body(431, "Headers too large")), False)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._send(Response(411, error_body(411, "Length required")), False)
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            return self._send(Response(400, error_body(400, "Bad request")), False)
        body = self.rfile.read(length) if length > 0 else b""
        connection = headers.get("connection", "").lower()
        keep_alive = (version == "HTTP/1.1" and connection != "close") or (
            version == "HTTP/1.0" and connection == "keep-alive"
        )
        if target.startswith(("http://", "https://")):  # absolute-form request target
            target = "/" + target.split("/", 3)[-1] if target.count("/") >= 3 else "/"
        path, _, query = target.partition("?")
        req = Request(method.upper(), path, query, headers, body)
        backend = self.server.backend
        admin = path.startswith("/_emulator")
        try:
            resp = handle_admin(backend, req) if admin else handle(backend, req)
        except Exception:  # a bug in the emulator: say so loudly, answer 500
            traceback.print_exc(file=sys.stderr)
            resp = Response(500, error_body(500, "Emulator internal error"))
        if not admin:
            backend.record(
                method=req.method,
                path=path,
                query=query,
                endpoint=resp.endpoint,
                status=resp.status,
                start=start,
                end=time.monotonic(),
                fault=resp.fault,
            )
        return self._send(resp, keep_alive)

    def _send(self, resp: Response, keep_alive: bool) -> bool:
        body = resp.body
        head = [f"HTTP/1.1 {resp.status} {_reason(resp.status)}\r\n"]
        if resp.content_type:
            head.append(f"Content-Type: {resp.content_type}\r\n")
        head.append(f"Content-Length: {len(body)}\r\n")
        for name, value in resp.headers:
            head.append(f"{name}: {value}\r\n")
        if not keep_alive:
            head.append("Connection: close\r\n")
        head.append("\r\n")
        head_bytes = "".join(head).encode("latin-1")
        if resp.fault in ("truncated", "reset"):
            # Headers promise the full length; only half the body ever arrives.
            self.request.sendall(head_bytes + body[: len(body) // 2])
            if resp.fault == "reset":
                self._reset()
            return False
        self.request.sendall(head_bytes + body)
        return keep_alive

    def _reset(self) -> None:
        """Abort the connection with a TCP RST instead of an orderly FIN."""
        sock = self.request
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drop makefile's reference so close() really closes
        sock.close()


class _HTTPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Thread per connection; remembers open connections so stop() can end them."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], backend: SpotifyBackend) -> None:
        super().__init__(address, _Handler)
        self.backend = backend
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._conns_lock = threading.Lock()

    def track(self, sock: socket.socket) -> None:
        with self._conns_lock:
            self._conns[sock] = threading.current_thread()

    def untrack(self, sock: socket.socket) -> None:
        with self._conns_lock:
            self._conns.pop(sock, None)

    def close_connections(self, timeout: float = 2.0) -> None:
        """Wake every handler blocked on a keep-alive read and wait for it."""
        with self._conns_lock:
            conns = list(self._conns.items())
        for sock, _ in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _, thread in conns:
            thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class EmulatorServer:
    """A running emulator: ``with EmulatorServer(opts) as emu: emu.api_url``.

    Binds ``options.host:options.port`` (default 127.0.0.1 and a free port) and
    serves from a daemon thread; ``stop()``/``__exit__`` close every socket.
    """

    def __init__(self, options: EmulatorOptions | None = None, **overrides: Any) -> None:
        opts = options if options is not None else EmulatorOptions()
        if overrides:
            opts = opts.replace(**overrides)
        self.options = opts
        self.backend = SpotifyBackend(opts)
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ urls
    @property
    def host(self) -> str:
        return self._bound()[0]

    @property
    def port(self) -> int:
        return self._bound()[1]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.backend.base_url

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` (no trailing slash)."""
        return self.backend.base_url + "/v1"

    @property
    def token_url(self) -> str:
        """``http://127.0.0.1:PORT/api/token``."""
        return self.backend.base_url + "/api/token"

    def _bound(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    # -------------------------------------------------------------- lifecycle
    def start(self) -> EmulatorServer:
        if self._server is not None:
            return self
        server = _HTTPServer((self.options.host, self.options.port), self.backend)
        host, port = server.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else str(host)
        self.backend.base_url = f"http://{shown}:{port}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"spotify-emulator:{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.base_url if self.running else "stopped"
        return f"<EmulatorServer {state} profile={self.backend.profile}>"
