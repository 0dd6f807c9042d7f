"""The HTTP layer: the standard library's ``http.server`` plus the EmulatorServer handle.

``http.server`` parses requests (HTTP/1.1, keep-alive); this module turns each
into a ``Request``, asks ``pipeline.handle`` (or the admin routes) for a
``Response`` and writes it. Sockets are TCP_NODELAY and the write buffer holds
a whole small response, so status line, headers and body leave in one send and
Nagle's algorithm and delayed ACKs never add their ~40 ms. Wire misbehaviour
(reset, truncated body, trickled head and body) is carried out here because only
this layer owns the socket.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from http import HTTPStatus
from types import TracebackType
from typing import Any

from ..backend import SpotifyBackend
from ..options import EmulatorOptions
from .admin import handle_admin
from .messages import Request, Response, error_body
from .pipeline import handle

POLL_INTERVAL = 0.05  # how long stop() may wait for the accept loop to notice
WRITE_BUFFER = 64 * 1024  # headers and most bodies leave in one send


class _Handler(http.server.BaseHTTPRequestHandler):
    """One client connection; ``http.server`` loops over its requests."""

    protocol_version = "HTTP/1.1"
    server_version = "spotify-emulator"
    disable_nagle_algorithm = True  # TCP_NODELAY, set by StreamRequestHandler.setup
    wbufsize = WRITE_BUFFER  # flushed by http.server after every request
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is ``backend.stats()``."""

    # ------------------------------------------------------------- requests
    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool = False) -> None:
        start = time.monotonic()
        headers = {name.lower(): value for name, value in self.headers.items()}
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self.send_error(411, "Length required")
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            return self.send_error(400, "Bad request")
        body = self.rfile.read(length) if length > 0 else b""
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form request target
            target = "/" + target.split("/", 3)[-1] if target.count("/") >= 3 else "/"
        path, _, query = target.partition("?")
        req = Request(self.command, path, query, headers, body)
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
        self._write(resp, head)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (400, 411, 414, 431, 501, 505) in Spotify's body."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # unparsable line: still send a status line
            self.request_version = self.protocol_version
        text = message or HTTPStatus(code).phrase
        self._write(Response(code, error_body(code, text)), head=self.command == "HEAD")
        self.wfile.flush()

    # ------------------------------------------------------------- responses
    def _write(self, resp: Response, head: bool = False) -> None:
        body = resp.body
        if resp.fault in ("truncated", "reset"):
            self.close_connection = True
        pause = resp.trickle_ms / 1000.0
        status_and_headers = self._head(resp, len(body))
        if pause > 0 and resp.trickle_headers:
            self._trickle(status_and_headers, pause)
        else:
            self.wfile.write(status_and_headers)  # buffered: leaves with the body
        if head:
            return
        if resp.fault in ("truncated", "reset"):
            # Headers promise the full length; only half the body ever arrives.
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if resp.fault == "reset":
                self.server.abort(self.connection)
        elif pause > 0 and body:
            self._trickle(body, pause)
        else:
            self.wfile.write(body)

    def _head(self, resp: Response, length: int) -> bytes:
        """Status line and headers, as ``send_response`` and ``send_header`` would write them."""
        phrase = HTTPStatus(resp.status).phrase if resp.status in _STATUSES else ""
        lines = [
            f"{self.protocol_version} {resp.status} {phrase}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        if resp.content_type:
            lines.append(f"Content-Type: {resp.content_type}")
        lines.append(f"Content-Length: {length}")
        lines += [f"{name}: {value}" for name, value in resp.headers]
        if self.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _trickle(self, data: bytes, pause: float) -> None:
        """``data`` one byte per ``pause`` (a dawdling server), after what is buffered."""
        self.wfile.flush()
        for i in range(len(data)):
            if i:
                time.sleep(pause)
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()


_STATUSES = frozenset(s.value for s in HTTPStatus)


class _HTTPServer(http.server.ThreadingHTTPServer):
    """Thread per connection (daemon threads); remembers open connections so stop()
    can end them, and which ones to abort with a TCP RST."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], backend: SpotifyBackend) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.backend = backend
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._aborted: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup (slow where DNS is missing)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def track(self, sock: socket.socket) -> None:
        with self._conns_lock:
            self._conns[sock] = threading.current_thread()

    def untrack(self, sock: socket.socket) -> None:
        with self._conns_lock:
            self._conns.pop(sock, None)

    def abort(self, sock: socket.socket) -> None:
        """Make closing this connection send a TCP RST instead of an orderly FIN."""
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with self._conns_lock:
            self._aborted.add(sock)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            aborted = request in self._aborted
            self._aborted.discard(request)
        if aborted:
            self.close_request(request)  # no shutdown(SHUT_WR): that would send a FIN first
        else:
            super().shutdown_request(request)

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
            return  # the client went away
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

    @property
    def authorize_url(self) -> str:
        """``http://127.0.0.1:PORT/authorize`` (Spotify's accounts page, answered at once)."""
        return self.backend.base_url + "/authorize"

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
        shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(str(host), str(host))
        if ":" in shown:  # an IPv6 literal goes in brackets in a URL
            shown = f"[{shown}]"
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
