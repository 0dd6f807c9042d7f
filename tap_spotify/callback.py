"""The local page Spotify sends the browser back to: http://127.0.0.1:PORT/callback.

Why it checks `state` before anything else: any web page open in the user's browser
can make it request 127.0.0.1, so a request without this login's state is not
Spotify's answer. It gets a short error page in its tab and login keeps waiting; only
the awaited callback (this login's state) ends the wait, and its tab gets the page
that says how the sign-in ended. No request is logged, and no page shows the
authorization code or a token.
"""

from __future__ import annotations

import html
import http.server
import queue
import secrets
import socketserver
import threading
import typing as t
from urllib.parse import parse_qs, urlsplit

from typing_extensions import override

PATH = "/callback"
#: A browser's idle pre-connection must not hold a thread for long.
IDLE_SECONDS = 30


def page(title: str, text: str) -> str:
    """A short plain page for the browser."""
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
            "</body></html>\n")


NOT_HERE = page("Not found", "Nothing here: tap-spotify login only listens on /callback.")
NOT_AWAITED = page(
    "Not the sign-in tap-spotify login is waiting for",
    "This answer does not carry the state of the login that is running (a tab from an "
    "earlier login, or a request another page made). Login is still waiting: open the "
    "URL it printed last.")
ALREADY_ANSWERED = page("Already received", "This sign-in was already received: see the "
                                            "terminal.")
STOPPED = page("tap-spotify login stopped",
               "tap-spotify login stopped before finishing: see the terminal.")


class Callback:
    """The awaited callback: Spotify's query, and the page its tab gets once login
    knows how the sign-in ended."""

    def __init__(self, query: dict[str, str]) -> None:
        self.query = query
        self.page = STOPPED
        self.decided = threading.Event()
        self.sent = threading.Event()

    def answer(self, page: str) -> None:
        """Send `page` to the waiting tab."""
        self.page = page
        self.decided.set()


class CallbackServer(http.server.ThreadingHTTPServer):
    """Listens on 127.0.0.1 only, until the callback that carries `state` comes."""

    daemon_threads = True

    def __init__(self, port: int, state: str, *, answer_within: float,
                 on_first_stray: t.Callable[[], None] = lambda: None) -> None:
        self.state = state.encode()
        self.answer_within = answer_within
        self.on_first_stray = on_first_stray
        self.strays = 0
        self.callback: Callback | None = None
        self.arrived: queue.Queue[Callback] = queue.Queue()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), CallbackHandler)

    @override
    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the address (can be slow)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server_port}{PATH}"

    def start(self) -> None:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                         name="tap-spotify-login", daemon=True).start()

    def wait(self, timeout: float) -> Callback | None:
        """The awaited callback, or None if it did not come within `timeout` seconds."""
        try:
            return self.arrived.get(timeout=timeout)
        except queue.Empty:
            return None

    def awaits(self, state: str) -> bool:
        return secrets.compare_digest(state.encode(), self.state)

    def stray(self) -> None:
        """Count a request to the callback without this state; tell the first one."""
        with self.lock:
            self.strays += 1
            first = self.strays == 1
        if first:
            self.on_first_stray()

    def claim(self, query: dict[str, str]) -> Callback | None:
        """The awaited callback the first time it comes; None for a repeat."""
        with self.lock:
            if self.callback is not None:
                return None
            self.callback = Callback(query)
        self.arrived.put(self.callback)
        return self.callback

    def close(self) -> None:
        """Let the awaited callback's tab get its page, then stop listening."""
        with self.lock:
            callback = self.callback
        if callback is not None:
            callback.decided.set()
            callback.sent.wait(5)
        self.shutdown()
        self.server_close()


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    server: CallbackServer
    timeout = IDLE_SECONDS

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != PATH:
            self.send_page(404, NOT_HERE)
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if not self.server.awaits(query.get("state", "")):
            self.server.stray()
            self.send_page(400, NOT_AWAITED)
            return
        callback = self.server.claim(query)
        if callback is None:
            self.send_page(409, ALREADY_ANSWERED)
            return
        callback.decided.wait(self.server.answer_within)
        try:
            self.send_page(200, callback.page)
        finally:
            callback.sent.set()

    def send_page(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    @override
    def log_message(self, format: str, *args: t.Any) -> None:
        """Silent: the request line holds the authorization code."""
