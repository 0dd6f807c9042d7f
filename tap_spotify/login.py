"""`tap-spotify login`: Spotify's Authorization Code flow (with PKCE) on the listener's
machine, ending with a refresh token in the env file the tap (or Meltano) reads.

A thin sibling of the tap: its settings, errors, Spotify's facts, the user streams'
scopes and the HTTP session are the tap's own. Login's own parts have their modules:
Spotify's consent link and code exchange (`authorization_code.py`), the local callback
(`callback.py`) and the env file the token goes to (`envfile.py`). Every error is one
line, `tap-spotify login: error: ...` (printed by `cli.main`), and a non-zero exit; no
token or secret is ever printed, logged or shown in the browser.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import secrets
import sys
import typing as t
import webbrowser
from pathlib import Path

import click
from typing_extensions import override

from tap_spotify import spotify
from tap_spotify.authorization_code import (
    authorization_code,
    authorize_link,
    exchange,
    pkce_pair,
)
from tap_spotify.callback import CallbackServer, page
from tap_spotify.cli import read_json_object
from tap_spotify.envfile import TokenFile, read_env
from tap_spotify.errors import TapSpotifyError
from tap_spotify.settings import (
    ENV_PREFIX,
    SETTINGS_SCHEMA,
    Settings,
    settings_from_environment,
)
from tap_spotify.streams import stream_scopes, user_scopes

PROG = "tap-spotify login"
#: The settings login reads; a problem in any other is the tap's to report.
LOGIN_SETTINGS = ("client_id", "client_secret", "authorize_url", "auth_url", "request_timeout")


class LoginError(TapSpotifyError):
    """Something the user can fix, printed as `tap-spotify login: error: ...`."""

    program = PROG

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class LoginCommand(click.Command):
    """A bad option is one line like every other error, not click's usage block."""

    @override
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise LoginError(f"{exc.format_message().rstrip('.')} (see `{PROG} --help`).",
                             exit_code=2) from None


def scope_list(ctx: click.Context, param: click.Parameter, value: str | None,
               ) -> tuple[str, ...]:
    """`a,b` or `a b`: scopes the user streams use, in the order given, no repeats."""
    known = user_scopes()
    if value is None:
        return known
    names = [name for name in re.split(r"[,\s]+", value) if name]
    if not names:
        raise click.BadParameter("no scope named: name at least one")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown scope {', '.join(map(repr, unknown))}; choose "
                                 f"from {','.join(known)}")
    return tuple(dict.fromkeys(names))


@click.command("login", cls=LoginCommand, epilog=(
    "The redirect URI to register in your Spotify app is printed by login: "
    "http://127.0.0.1:PORT/callback (default port 8888). Settings come from --config "
    "files first, then TAP_SPOTIFY_* variables, then the env file and ./.env. Run by "
    "Meltano (meltano invoke PLUGIN:login), login stores that plugin's variables in the "
    "project's .env."))
@click.option("--config", "config_files", multiple=True, metavar="FILE",
              help="JSON object of settings (client_id, client_secret, authorize_url, "
                   "auth_url, request_timeout); repeatable, later files win. ENV is "
                   "accepted and changes nothing: variables are always read.")
@click.option("--port", type=click.IntRange(0, 65535), default=8888, show_default=True,
              metavar="PORT",
              help="Port of http://127.0.0.1:PORT/callback; 0 takes any free port (only "
                   "where the redirect URI need not be registered, such as the emulator).")
@click.option("--scopes", callback=scope_list, metavar="a,b",
              help="Scopes to ask for, comma or space separated. [default: all the user "
                   "streams use]")
@click.option("--env-file", type=click.Path(path_type=Path), metavar="FILE",
              help="Env file that receives the refresh token and its date. [default: "
                   "./.env; under Meltano the project's .env]")
@click.option("--timeout", type=click.FloatRange(0, 10**6, min_open=True), default=300,
              show_default=True, metavar="SECONDS",
              help="Seconds to wait for the browser to come back.")
@click.option("--no-browser", is_flag=True,
              help="Only print the URL; open it yourself (on another machine, say, with "
                   "an SSH port forward).")
def login_command(config_files: tuple[str, ...], port: int, scopes: tuple[str, ...],
                  env_file: Path | None, timeout: float, no_browser: bool) -> None:
    """Sign in to Spotify in a browser and store a listener's refresh token."""
    try:
        run(config_files, port, scopes, env_file, timeout, browser=not no_browser)
    except LoginError:
        raise
    except TapSpotifyError as exc:  # a setting, a config file, the env file, Spotify
        raise LoginError(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise LoginError("interrupted: nothing was stored.", exit_code=130) from None


def run(config_files: tuple[str, ...], port: int, scopes: tuple[str, ...],
        env_file: Path | None, timeout: float, *, browser: bool) -> None:
    """Everything is checked before the browser step; the token is stored after it."""
    destination = TokenFile.for_environment(os.environ, env_file)
    settings = read_settings(config_files, destination.path)
    destination.check()
    again = f"meltano invoke {destination.plugin}:login" if destination.plugin else PROG
    granted, consented, was = sign_in(settings, destination, port, scopes, timeout,
                                      browser=browser, again=again)
    whose = f" for the Meltano plugin {destination.plugin}" if destination.plugin else ""
    print(f"Stored {destination.token_key} and {destination.date_key}{whose} in "
          f"{destination.path} (readable by you only{f'; it was {was}' if was else ''}). "
          f"The authorization is valid until about {spotify.authorization_ends(consented)} "
          f"({spotify.AUTHORIZATION_MONTHS} months after consent); run {again} again before "
          "then.")
    for line in stream_report(granted, scopes, again):
        print(line)


def sign_in(settings: Settings, destination: TokenFile, port: int, scopes: tuple[str, ...],
            timeout: float, *, browser: bool, again: str,
            ) -> tuple[list[str], dt.date, str | None]:
    """Send the listener to Spotify, wait for the callback that carries this login's
    state, exchange its code and store the token. Returns the granted scopes, the day
    of consent and the env file's old mode if it was wider than 0600."""
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    server = listen(port, state, answer_within=settings.request_timeout + 30)
    redirect_uri = server.redirect_uri
    link = authorize_link(settings, redirect_uri, state, challenge, scopes)
    server.start()
    try:
        print(link, flush=True)
        say(f"open the URL above in a browser, sign in to Spotify and agree. Waiting up to "
            f"{timeout:g} s for Spotify to send the browser back to {redirect_uri} "
            "(register exactly that redirect URI in your app).")
        if browser and not open_browser(link):
            say("could not open a browser: open the URL yourself.")
        callback = server.wait(timeout)
        if callback is None:
            raise LoginError(
                f"no answer from the browser within {timeout:g} s: nothing was stored. If "
                "Spotify showed an error page (such as 'Invalid redirect URI'), register "
                f"{redirect_uri} in your app's settings; then run {again} again (--timeout "
                "to wait longer).")
        try:
            code = authorization_code(callback.query, again)
            consented = dt.datetime.now(dt.timezone.utc).date()
            answer = exchange(settings, code, redirect_uri, verifier, again)
            was = destination.store(answer["refresh_token"], consented)
        except TapSpotifyError as exc:
            callback.answer(page("Sign-in failed", f"{exc} You can close this tab."))
            raise
        callback.answer(page("Signed in to Spotify", "tap-spotify has stored its "
                             "authorization. You can close this tab and go back to the "
                             "terminal."))
    finally:
        server.close()
    return str(answer.get("scope") or " ".join(scopes)).split(), consented, was


def say(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr, flush=True)


def read_settings(config_files: tuple[str, ...], env_file: Path) -> Settings:
    """The settings login needs, as the tap finds them. Highest first: --config files
    (later ones win), the environment, the env file being written, ./.env; empty
    values count as unset. `cli.main` has loaded ./.env into the environment (under
    the shell's variables): a variable holding exactly ./.env's value counts as ./.env's.
    A value that cannot work is named as written: `auth_url`, or `TAP_SPOTIFY_AUTH_URL`.
    """
    here = read_env(Path(".env"))
    shell = {key: value for key, value in os.environ.items() if here.get(key) != value}
    layers = [(False, read_json_object(name, "config file", "a JSON object of settings"))
              for name in reversed(config_files) if name != "ENV"]
    layers += [(True, settings_from_environment(variables, SETTINGS_SCHEMA))
               for variables in (shell, read_env(env_file), here)]
    config: dict[str, t.Any] = {}
    written_as: dict[str, str] = {}
    for name in LOGIN_SETTINGS:
        variable, value = next(((variable, layer[name]) for variable, layer in layers
                                if is_set(layer.get(name))), (False, None))
        config[name] = value
        if variable:
            written_as[name] = ENV_PREFIX + name.upper()
    settings = Settings.read(config, written_as)
    for name, label in (("client_id", "Client ID"), ("client_secret", "Client secret")):
        if not getattr(settings, name):
            raise LoginError(f"{name} is missing: set {ENV_PREFIX}{name.upper()} in .env or "
                             f"the environment, or {name} in a --config file, to your Spotify "
                             f"app's {label} (developer dashboard, your app's settings).")
    return settings


def is_set(value: t.Any) -> bool:
    return value is not None and str(value).strip() != ""


def listen(port: int, state: str, answer_within: float) -> CallbackServer:
    """The callback server awaiting `state`; one line if the port cannot be had."""
    def stray() -> None:
        say("a request to the callback without this login's state was ignored (a tab from "
            "an earlier login, or another page); still waiting for the URL above.")

    try:
        return CallbackServer(port, state, answer_within=answer_within, on_first_stray=stray)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise LoginError(f"port {port} on 127.0.0.1 is in use by another program: stop "
                             "it, or pass --port with a free port (and register "
                             "http://127.0.0.1:PORT/callback with that port in your Spotify "
                             "app).") from None
        raise LoginError(f"cannot listen on 127.0.0.1 port {port} ({exc.strerror}): pass "
                         "--port with another port.") from None


def stream_report(granted: list[str], asked: t.Sequence[str], again: str) -> list[str]:
    """Which user streams the granted scopes let the tap sync, as lines for the user."""
    needs = {stream: scopes[0] for stream, scopes in stream_scopes().items()}
    enabled = [stream for stream, scope in needs.items() if scope in granted]
    lines = [f"User streams enabled: {', '.join(enabled) or 'none'}."]
    missing: dict[str, list[str]] = {}
    for stream, scope in needs.items():
        if scope not in granted:
            missing.setdefault(scope, []).append(stream)
    if missing:
        parts = [f"{', '.join(streams)} (needs {scope})" for scope, streams in missing.items()]
        hint = (f"run {again} without --scopes to grant them"
                if any(scope not in asked for scope in missing)
                else f"Spotify did not grant them; run {again} again to retry")
        lines.append(f"User streams not enabled: {'; '.join(parts)}; {hint}.")
    return lines


def open_browser(url: str) -> bool:
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
