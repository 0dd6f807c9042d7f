"""`tap-spotify login`: Spotify's Authorization Code flow (with PKCE) on the user's
machine, ending with a refresh token in an env file the tap reads.

Why a local server: Spotify sends the browser back to a registered redirect URI,
and the only plain-http ones it accepts are loopback IP literals, so login listens
on http://127.0.0.1:PORT/callback (never `localhost`, which Spotify refuses).
Errors are one line on stderr and a non-zero exit; no token or secret is ever
printed, logged or shown in the browser.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import datetime as dt
import errno
import hashlib
import html
import http.server
import ipaddress
import json
import os
import queue
import re
import secrets
import socketserver
import sys
import tempfile
import threading
import typing as t
import webbrowser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import click
import requests
from dotenv import dotenv_values

PROG = "tap-spotify login"
DEFAULT_AUTHORIZE_URL = "https://accounts.spotify.com/authorize"
DEFAULT_TOKEN_URL = "https://accounts.spotify.com/api/token"

#: Every read scope the user streams need, in the order they are asked for.
SCOPES = (
    "user-read-private", "user-read-email", "user-read-recently-played", "user-top-read",
    "user-library-read", "user-follow-read", "playlist-read-private",
    "playlist-read-collaborative",
)

#: The scope each user stream needs (the tap skips a stream whose scope was not granted).
STREAM_SCOPES = {
    "me": "user-read-private",
    "recently_played": "user-read-recently-played",
    "top_tracks": "user-top-read",
    "top_artists": "user-top-read",
    "saved_tracks": "user-library-read",
    "saved_albums": "user-library-read",
    "followed_artists": "user-follow-read",
    "playlists": "playlist-read-private",
    "playlist_items": "playlist-read-private",
}

TOKEN_KEY = "TAP_SPOTIFY_REFRESH_TOKEN"
DATE_KEY = "TAP_SPOTIFY_REFRESH_TOKEN_DATE"

#: How long one request to the token endpoint may take (seconds).
REQUEST_TIMEOUT = 30

#: Spotify ends the authorization this many months after the user's consent.
VALID_MONTHS = 6


class LoginError(Exception):
    """Something the user can fix: printed as one line, exit code 1."""


# --------------------------------------------------------------------------- options

class Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line (no usage block), and no SystemExit."""

    def error(self, message: str) -> t.NoReturn:
        raise LoginError(f"{message} (see `{PROG} --help`).")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = Parser(
        prog=PROG,
        description="Sign in to Spotify in a browser and store a refresh token for the "
                    "user streams in an env file.",
        epilog="The redirect URI to register in your Spotify app is printed by login: "
               "http://127.0.0.1:PORT/callback (default port 8888). Settings come from "
               "--config files first, then TAP_SPOTIFY_* variables, then the env file "
               "and ./.env (the shell's variables win over .env files).",
    )
    parser.add_argument("--config", action="append", default=[], metavar="FILE",
                        help="JSON object of settings (client_id, client_secret, "
                             "authorize_url, auth_url); repeatable, later files win. "
                             "ENV is accepted and ignored: variables are always read.")
    parser.add_argument("--port", type=port_number, default=8888,
                        help="local port for http://127.0.0.1:PORT/callback (default 8888; "
                             "0 = any free port, useful only where the redirect URI need "
                             "not be registered, such as the emulator).")
    parser.add_argument("--scopes", type=scope_list, default=list(SCOPES),
                        help="scopes to ask for, comma or space separated (default: all "
                             f"the user streams need: {','.join(SCOPES)}).")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), metavar="FILE",
                        help="env file that receives TAP_SPOTIFY_REFRESH_TOKEN and "
                             "TAP_SPOTIFY_REFRESH_TOKEN_DATE (default ./.env).")
    parser.add_argument("--timeout", type=seconds, default=300.0,
                        help="seconds to wait for the browser to come back (default 300).")
    parser.add_argument("--no-browser", action="store_true",
                        help="only print the URL; open it yourself (for example on "
                             "another machine, with an SSH port forward).")
    return parser.parse_args(argv)


def port_number(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number from 0 to 65535")
    return int(value)


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < 10**6:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds above 0")
    return number


def scope_list(value: str) -> list[str]:
    """`a,b` or `a b`: known scope names only, in the order given, without repeats."""
    names = [name for name in re.split(r"[,\s]+", value) if name]
    if not names:
        raise argparse.ArgumentTypeError("no scope named: name at least one")
    unknown = [name for name in names if name not in SCOPES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown scope {', '.join(map(repr, unknown))}; choose from "
            f"{','.join(SCOPES)}")
    return list(dict.fromkeys(names))


# -------------------------------------------------------------------------- settings

def read_settings(config_files: list[str], env_file: Path) -> dict[str, str]:
    """client_id, client_secret, authorize_url and auth_url, as the tap finds them.

    Highest first: --config files (later ones win), the process environment, the env
    file being written, ./.env. Empty values count as unset.
    """
    layers: list[t.Mapping[str, t.Any]] = [read_config_file(name)
                                            for name in reversed(config_files)
                                            if name != "ENV"]
    variables: list[t.Mapping[str, t.Any]] = [os.environ, read_env_file(env_file),
                                              read_env_file(Path(".env"))]
    layers += [{key[len("TAP_SPOTIFY_"):].lower(): value for key, value in layer.items()
                if key.startswith("TAP_SPOTIFY_")} for layer in variables]
    defaults = {"authorize_url": DEFAULT_AUTHORIZE_URL, "auth_url": DEFAULT_TOKEN_URL}
    settings = {}
    for key in ("client_id", "client_secret", "authorize_url", "auth_url"):
        found = (str(layer[key]).strip() for layer in layers if layer.get(key) is not None)
        settings[key] = next((value for value in found if value), defaults.get(key, ""))
        if not settings[key]:
            raise LoginError(
                f"{key} is missing: set TAP_SPOTIFY_{key.upper()} in .env or the "
                f"environment, or {key} in a --config file, to your Spotify app's "
                f"{'Client ID' if key == 'client_id' else 'Client secret'} (developer "
                "dashboard, your app's settings).")
    for key in ("authorize_url", "auth_url"):
        check_url(key, settings[key])
    return settings


def read_config_file(name: str) -> dict[str, t.Any]:
    path = Path(name)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoginError(f"config file {name} does not exist: check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise LoginError(f"config file {name} cannot be read ({reason}).") from None
    except json.JSONDecodeError as exc:
        raise LoginError(f"config file {name} is not valid JSON ({exc}): it must hold a "
                         "JSON object of settings.") from None
    if not isinstance(value, dict):
        raise LoginError(f"config file {name} holds a JSON {type(value).__name__}: it must "
                         "hold a JSON object of settings.")
    return value


def read_env_file(path: Path) -> dict[str, str | None]:
    """The variables in a dotenv file; nothing when it is missing or unreadable (its
    problems, if any, are reported when login writes it)."""
    try:
        return dotenv_values(path) if path.is_file() else {}
    except (OSError, UnicodeDecodeError):
        return {}


def check_url(key: str, url: str) -> None:
    """https, or http to this machine only: the client secret and the tokens must not
    cross a network in clear text."""
    parsed = urlparse(url)
    try:
        host = parsed.hostname or ""
    except ValueError:
        host = ""
    if parsed.scheme == "https" and host and not re.search(r"\s", url):
        return
    if parsed.scheme == "http" and is_loopback(host) and not re.search(r"\s", url):
        return
    raise LoginError(f"{key} is {url!r}: it must be an https:// URL (plain http:// only to "
                     "localhost, 127.0.0.1 or [::1]: credentials must not travel in clear "
                     "text).")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------- the env file

def check_env_file(path: Path) -> None:
    """Fail before the browser step if the token could not be stored afterwards."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not path.is_file():
        raise LoginError(f"--env-file {path} is not a file: give the path of an env file.")
    if not folder.is_dir():
        raise LoginError(f"--env-file {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists()
                                                    and not os.access(path, os.R_OK)):
        raise LoginError(f"--env-file {path} cannot be written (permission denied): "
                         "choose another file with --env-file.")


def store_token(path: Path, token: str, date: dt.date) -> str | None:
    """Replace the two keys in the env file (or add them at the end), keep every other
    line as it was, and leave the file readable by its owner only.

    Written to a new 0600 file beside it, then renamed over it: the token is never in
    a file others can read, and a crash leaves the old file whole. Returns the old
    permissions when they were wider than 0600 (to say so), else None.
    """
    target = Path(os.path.realpath(path))  # through a symlink, to the file it names
    try:
        old = target.read_bytes().decode("utf-8") if target.exists() else ""
        old_mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise LoginError(f"could not read {path} ({reason}); nothing was written.") from None
    text = replace_keys(old, {TOKEN_KEY: quote(token), DATE_KEY: date.isoformat()})
    temp = ""
    try:
        fd, temp = tempfile.mkstemp(prefix=".tap-spotify-login-", dir=target.parent)  # 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except OSError as exc:
        if temp:
            Path(temp).unlink(missing_ok=True)
        raise LoginError(f"could not write {path} ({exc.strerror}); nothing was written: "
                         f"fix that and run {PROG} again.") from None
    return f"{old_mode:04o}" if old_mode & 0o077 else None


def replace_keys(text: str, values: dict[str, str]) -> str:
    """`text` with each key's first assignment replaced in place, later ones dropped,
    missing ones appended; every other line (comments too) untouched."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    done: set[str] = set()
    kept = []
    for line in lines:
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        key = match.group(1) if match else None
        if key not in values:
            kept.append(line)
        elif key not in done:
            ending = line[len(line.rstrip("\r\n")):] or newline
            kept.append(f"{key}={values[key]}{ending}")
            done.add(key)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += newline
    kept += [f"{key}={value}{newline}" for key, value in values.items() if key not in done]
    return "".join(kept)


def quote(value: str) -> str:
    """As is when safe (Spotify's tokens are), else double-quoted for python-dotenv."""
    if re.fullmatch(r"[A-Za-z0-9_\-.~+/=]+", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -------------------------------------------------------------------- local server

class Visit:
    """One request to /callback, handed from the server thread to the main thread,
    which decides the page the browser gets."""

    def __init__(self, query: dict[str, str]) -> None:
        self.query = query
        self.page = page("tap-spotify login stopped",
                         "tap-spotify login stopped before finishing. See the terminal.")
        self.decided = threading.Event()
        self.sent = threading.Event()


class CallbackServer(http.server.ThreadingHTTPServer):
    """Listens on 127.0.0.1 only; hands each /callback visit to the main thread."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        self.visits: queue.Queue[Visit] = queue.Queue()
        super().__init__(("127.0.0.1", port), CallbackHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the address (can be slow)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    server: CallbackServer
    timeout = 30  # a browser's idle pre-connection must not hold a thread forever

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path != "/callback":
            self.answer(404, page("Not found", "Nothing here: tap-spotify login only "
                                  "listens on /callback."))
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        visit = Visit(query)
        self.server.visits.put(visit)
        visit.decided.wait(REQUEST_TIMEOUT + 30)
        self.answer(200, visit.page)
        visit.sent.set()

    def answer(self, status: int, body: str) -> None:
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

    def log_message(self, format: str, *args: t.Any) -> None:
        """Silent: the request line holds the authorization code."""


def page(title: str, text: str) -> str:
    """A short plain page for the browser (never with the code or a token in it)."""
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>"
            f"{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p></body></html>\n")


def listen(port: int) -> CallbackServer:
    try:
        return CallbackServer(port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise LoginError(f"port {port} on 127.0.0.1 is in use by another program: stop "
                             "it, or pass --port with a free port (and register "
                             "http://127.0.0.1:PORT/callback with that port in your Spotify "
                             "app).") from None
        raise LoginError(f"cannot listen on 127.0.0.1 port {port} ({exc.strerror}): pass "
                         "--port with another port.") from None


# ----------------------------------------------------------------------- the flow

def pkce_pair() -> tuple[str, str]:
    """A random code_verifier and its S256 code_challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_link(settings: dict[str, str], redirect_uri: str, state: str,
                   challenge: str, scopes: list[str]) -> str:
    query = urlencode({
        "client_id": settings["client_id"], "response_type": "code",
        "redirect_uri": redirect_uri, "state": state, "scope": " ".join(scopes),
        "code_challenge_method": "S256", "code_challenge": challenge,
    })
    base = settings["authorize_url"]
    return f"{base}{'&' if '?' in base else '?'}{query}"


def check_callback(query: dict[str, str], state: str) -> str:
    """The authorization code, or LoginError saying why there is none."""
    if not secrets.compare_digest(query.get("state", "").encode(), state.encode()):
        raise LoginError("the answer that came back to the callback does not carry the "
                         "state login sent (a stale tab, or a request not started by this "
                         f"login): nothing was stored; run {PROG} again and use the new URL.")
    error = query.get("error")
    if error == "access_denied":
        raise LoginError("you did not agree on Spotify's page (access_denied), so nothing "
                         f"was stored; run {PROG} again and choose Agree.")
    if error:
        raise LoginError(f"Spotify answered with error {one_line(error)!r}: nothing was "
                         f"stored; check the app's settings and run {PROG} again.")
    if not query.get("code"):
        raise LoginError("the callback came back without an authorization code: nothing "
                         f"was stored; run {PROG} again.")
    return query["code"]


def exchange(settings: dict[str, str], code: str, redirect_uri: str,
             verifier: str) -> dict[str, t.Any]:
    """The token endpoint's answer to the authorization code (client secret + PKCE)."""
    url = settings["auth_url"]
    try:
        response = requests.post(
            url,
            data={"grant_type": "authorization_code", "code": code,
                  "redirect_uri": redirect_uri, "code_verifier": verifier},
            auth=(settings["client_id"], settings["client_secret"]),
            timeout=REQUEST_TIMEOUT, allow_redirects=False,
        )
    except requests.Timeout:
        raise LoginError(f"the token endpoint {url} did not answer within "
                         f"{REQUEST_TIMEOUT} s: nothing was stored; check your network "
                         f"and run {PROG} again.") from None
    except requests.RequestException as exc:
        reason = type(exc).__name__
        raise LoginError(f"could not reach the token endpoint {url} ({reason}): nothing "
                         f"was stored; check auth_url and your network, then run {PROG} "
                         "again.") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    if response.status_code != 200 or "error" in body:
        raise LoginError(token_error(response.status_code, body))
    if not isinstance(body.get("refresh_token"), str) or not body["refresh_token"]:
        raise LoginError(f"the token endpoint {url} answered without a refresh token: "
                         "nothing was stored; check auth_url.")
    return body


def token_error(status: int, body: dict[str, t.Any]) -> str:
    """One line for a refused code exchange, saying what to do."""
    error = one_line(str(body.get("error") or f"HTTP {status}"))
    description = one_line(str(body.get("error_description") or ""))
    said = f"{error}: {description}" if description else error
    if error == "invalid_client":
        advice = ("check client_id and client_secret (your Spotify app's settings), then "
                  f"run {PROG} again.")
    elif "redirect" in description.lower():
        advice = ("register the redirect URI login printed, exactly, in your Spotify app's "
                  f"settings, then run {PROG} again.")
    else:
        advice = f"run {PROG} again (an authorization code works once, for a few minutes)."
    return f"Spotify refused the authorization code ({said}): nothing was stored; {advice}"


def one_line(text: str, limit: int = 200) -> str:
    """A value from the network, safe to print on one line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def add_months(date: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31 Aug + 6: 28/29 Feb)."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return date.replace(year=year, month=month,
                        day=min(date.day, calendar.monthrange(year, month)[1]))


def report_streams(granted: list[str], asked: list[str]) -> list[str]:
    """What the granted scopes let the tap sync, as lines for the user."""
    enabled = [stream for stream, scope in STREAM_SCOPES.items() if scope in granted]
    missing = {stream: scope for stream, scope in STREAM_SCOPES.items()
               if scope not in granted}
    lines = [f"User streams enabled: {', '.join(enabled) or 'none'}."]
    if missing:
        by_scope: dict[str, list[str]] = {}
        for stream, scope in missing.items():
            by_scope.setdefault(scope, []).append(stream)
        parts = [f"{', '.join(streams)} (needs {scope})" for scope, streams in by_scope.items()]
        unasked = any(scope not in asked for scope in missing.values())
        hint = (f"run {PROG} without --scopes to grant them" if unasked
                else f"Spotify did not grant them; run {PROG} again to retry")
        lines.append(f"User streams not enabled: {'; '.join(parts)}; {hint}.")
    return lines


def run(args: argparse.Namespace) -> int:
    settings = read_settings(args.config, args.env_file)
    check_env_file(args.env_file)
    server = listen(args.port)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    link = authorize_link(settings, redirect_uri, state, challenge, args.scopes)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     name="tap-spotify-login", daemon=True).start()
    visit: Visit | None = None
    try:
        print(link, flush=True)
        print(f"{PROG}: open the URL above in a browser, sign in to Spotify and agree. "
              f"Waiting up to {args.timeout:g} s for Spotify to send the browser back to "
              f"{redirect_uri} (register exactly that redirect URI in your app).",
              file=sys.stderr, flush=True)
        if not args.no_browser and not open_browser(link):
            print(f"{PROG}: could not open a browser: open the URL yourself.",
                  file=sys.stderr, flush=True)
        try:
            visit = server.visits.get(timeout=args.timeout)
        except queue.Empty:
            raise LoginError(
                f"no answer from the browser within {args.timeout:g} s: nothing was "
                f"stored. If Spotify showed an error page (such as 'Invalid redirect "
                f"URI'), register {redirect_uri} in your app's settings; then run {PROG} "
                "again (--timeout to wait longer).") from None
        try:
            code = check_callback(visit.query, state)
            today = dt.datetime.now(dt.timezone.utc).date()  # the day of consent
            answer = exchange(settings, code, redirect_uri, verifier)
            was = store_token(args.env_file, answer["refresh_token"], today)
        except LoginError as exc:
            visit.page = page("Sign-in failed", f"{exc} You can close this tab.")
            raise
        visit.page = page("Signed in to Spotify",
                          "tap-spotify has stored its authorization. You can close this "
                          "tab and go back to the terminal.")
    finally:
        stop(server, visit)
    granted = str(answer.get("scope") or " ".join(args.scopes)).split()
    until = add_months(today, VALID_MONTHS)
    print(f"Stored {TOKEN_KEY} and {DATE_KEY} in {args.env_file} (readable by you only"
          f"{f'; it was {was}' if was else ''}). The authorization is valid until about "
          f"{until.isoformat()} (6 months after consent); run {PROG} again before then.")
    for line in report_streams(granted, args.scopes):
        print(line)
    return 0


def stop(server: CallbackServer, visit: Visit | None) -> None:
    """Let the browser get its page, answer any later visit, and close the port."""
    if visit is not None:
        visit.decided.set()
        visit.sent.wait(5)
    while True:
        try:
            server.visits.get_nowait().decided.set()
        except queue.Empty:
            break
    server.shutdown()
    server.server_close()


def open_browser(url: str) -> bool:
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def main(argv: list[str]) -> int:
    """`tap-spotify login ARGS`: the exit code (0 once the token is stored)."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except LoginError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    try:
        return run(args)
    except LoginError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted: nothing was stored.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


@click.command("login", add_help_option=False,
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
               help="Sign in to Spotify in a browser and store a listener's refresh token.")
@click.pass_context
def login_command(ctx: click.Context) -> None:
    sys.exit(main(ctx.args))
