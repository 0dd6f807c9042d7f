"""Command line: every EmulatorOptions field as a flag; prints the URLs, serves until a signal.

Output contract (stdout, flushed, one line each, before serving)::

    API_URL=http://127.0.0.1:PORT/v1
    TOKEN_URL=http://127.0.0.1:PORT/api/token
    AUTHORIZE_URL=http://127.0.0.1:PORT/authorize

When it cannot listen (port in use, bad address) it prints one line to stderr
saying so and what to do, and exits with status 1.
"""

from __future__ import annotations

import argparse
import datetime
import errno
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .options import FAULT_KINDS, PROFILES, RATE_LIMIT_VARIANTS, EmulatorOptions
from .server import EmulatorServer


def _int_list(raw: str) -> list[int]:
    return [int(p) for p in raw.split(",") if p.strip()]


def _str_list(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def _optional_int(raw: str) -> int | None:
    return None if raw.lower() in ("none", "off", "") else int(raw)


def _optional_str(raw: str) -> str | None:
    return None if raw.lower() in ("none", "null") else raw


def build_parser() -> argparse.ArgumentParser:
    d = EmulatorOptions()
    p = argparse.ArgumentParser(
        prog="python -m spotify_emulator",
        description="Local emulator of the Spotify Web API (new releases, albums, tracks, "
        "search, and a listener's data behind the Authorization Code flow).",
    )
    net = p.add_argument_group("server")
    net.add_argument("--host", default=d.host, help="bind address (default %(default)s)")
    net.add_argument("--port", type=int, default=d.port, help="port, 0 = any free (default 0)")
    net.add_argument(
        "--lifetime",
        type=float,
        default=None,
        help="exit by itself after this many seconds (default: run until signalled)",
    )
    net.add_argument("--request-log-limit", type=int, default=d.request_log_limit)

    cat = p.add_argument_group("catalog")
    cat.add_argument("--seed", type=int, default=d.seed)
    cat.add_argument(
        "--new-releases",
        type=int,
        default=d.new_releases,
        help="albums listed by /browse/new-releases (default %(default)s)",
    )
    cat.add_argument(
        "--track-counts",
        type=_int_list,
        default=None,
        help="comma list of track counts cycled over the listed albums",
    )
    cat.add_argument(
        "--today",
        type=datetime.date.fromisoformat,
        default=d.today,
        help="the emulator's today, YYYY-MM-DD (default %(default)s)",
    )
    cat.add_argument("--release-spread-days", type=int, default=d.release_spread_days)
    cat.add_argument(
        "--back-catalog",
        type=int,
        default=d.back_catalog,
        help="extra unlisted albums (default %(default)s)",
    )
    cat.add_argument("--profile", choices=PROFILES, default=d.profile)

    auth = p.add_argument_group("auth")
    auth.add_argument("--client-id", default=d.client_id)
    auth.add_argument("--client-secret", default=d.client_secret)
    auth.add_argument("--token-ttl", type=float, default=d.token_ttl, help="seconds")
    auth.add_argument(
        "--redirect-uris",
        type=_str_list,
        default=None,
        help="comma list of registered redirect URIs /authorize must match exactly "
        "(default: any https URI or http://127.0.0.1|[::1]:ANY_PORT)",
    )

    lim = p.add_argument_group("rate limiting")
    lim.add_argument(
        "--rate-limit",
        type=_optional_int,
        default=d.rate_limit,
        help="API requests per rolling window (default: unlimited)",
    )
    lim.add_argument("--rate-limit-window", type=float, default=d.rate_limit_window)
    lim.add_argument(
        "--retry-after",
        type=_optional_int,
        default=d.retry_after,
        help="fixed Retry-After of window 429s (default: seconds until the window frees a slot)",
    )
    lim.add_argument(
        "--rate-limit-variant", choices=RATE_LIMIT_VARIANTS, default=d.rate_limit_variant
    )
    lim.add_argument(
        "--script-429-after",
        type=int,
        default=None,
        help="the (N+1)-th API request answers one long 429",
    )
    lim.add_argument("--script-429-retry-after", type=int, default=d.script_429_retry_after)
    lim.add_argument(
        "--script-429-variant", choices=RATE_LIMIT_VARIANTS, default=d.script_429_variant
    )

    flt = p.add_argument_group("faults")
    flt.add_argument("--fault-rate", type=float, default=d.fault_rate)
    flt.add_argument(
        "--fault-kinds",
        type=_str_list,
        default=list(FAULT_KINDS),
        help=f"comma list out of {','.join(FAULT_KINDS)}",
    )
    flt.add_argument("--fault-seed", type=int, default=d.fault_seed)
    flt.add_argument(
        "--no-faults-on-token",
        dest="faults_on_token",
        action="store_false",
        help="never fault /api/token",
    )
    flt.add_argument("--latency-ms", type=float, default=d.latency_ms)

    bad = p.add_argument_group("hostile behaviours (robustness tests; all off by default)")
    bad.add_argument(
        "--next-base",
        type=_optional_str,
        default=d.next_base,
        help="paging 'next' links use this base URL (e.g. http://127.0.0.2:PORT/v1)",
    )
    bad.add_argument(
        "--loop-next",
        action="store_true",
        help="every page's 'next' points back to the first page, never null",
    )
    bad.add_argument(
        "--total",
        type=_optional_int,
        default=d.total,
        help="every paging object reports this total (next still follows the real data)",
    )
    bad.add_argument(
        "--ignore-offset",
        action="store_true",
        help="listings and track pages serve offset 0's items whatever the offset",
    )
    bad.add_argument(
        "--trickle-ms",
        type=float,
        default=d.trickle_ms,
        help="write API and token bodies one byte at a time, this many ms apart",
    )
    bad.add_argument(
        "--retry-after-raw",
        type=_optional_str,
        default=d.retry_after_raw,
        help="Retry-After header of the scripted 429, verbatim (inf, 1e12, an HTTP date)",
    )
    bad.add_argument(
        "--status-for",
        type=_optional_str,
        default=d.status_for,
        help="path prefix answered with --status-code and Spotify's error body",
    )
    bad.add_argument("--status-code", type=int, default=d.status_code)
    return p


def options_from_args(args: argparse.Namespace) -> EmulatorOptions:
    values = vars(args).copy()
    values.pop("lifetime", None)
    return EmulatorOptions(**values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        options = options_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    emu = EmulatorServer(options)
    try:
        emu.start()
    except OSError as exc:
        print(f"spotify-emulator: {_listen_problem(options, exc)}", file=sys.stderr, flush=True)
        return 1
    with emu:
        print(f"API_URL={emu.api_url}", flush=True)
        print(f"TOKEN_URL={emu.token_url}", flush=True)
        print(f"AUTHORIZE_URL={emu.authorize_url}", flush=True)
        print(
            f"spotify-emulator serving on {emu.base_url} (profile={options.profile}, "
            f"seed={options.seed}, new_releases={options.new_releases})",
            file=sys.stderr,
            flush=True,
        )
        stop.wait(args.lifetime)
    return 0


def _listen_problem(options: EmulatorOptions, exc: OSError) -> str:
    """One line: what stops the emulator from listening, and what to do about it."""
    where = f"{options.host}:{options.port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use; "
            "stop what is using it or pick another --port (0 = any free port)"
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied; use a port above 1023 or 0"
    reason = exc.strerror or str(exc)
    return f"cannot listen on {where}: {reason}; check --host and --port"
