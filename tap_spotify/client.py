"""The base stream: Spotify's URLs, errors and retries, and the connection streams share."""

from __future__ import annotations

import logging
import os
import typing as t
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from urllib.parse import urlparse

import msgspec
import requests
from requests.adapters import HTTPAdapter
from singer_sdk.helpers._typing import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.streams import RESTStream

from tap_spotify.auth import SpotifyAuthenticator
from tap_spotify.errors import RunCancelled, TapSpotifyError, TransientError, classify
from tap_spotify.payloads import decode_any, materialize
from tap_spotify.retries import RateGate, RetryPolicy
from tap_spotify.writer import BufferedSingerWriter

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_spotify.tap import TapSpotify

T = t.TypeVar("T")

REQUEST_TIMEOUT_SECONDS = 30


_open_connections: weakref.WeakSet[SpotifyConnection] = weakref.WeakSet()


def close_connections() -> None:
    """Close every connection this process opened (the CLI calls it on its way out)."""
    for connection in list(_open_connections):
        connection.close()


class SpotifyConnection:
    """What every stream and worker shares for one run: one HTTP connection pool, one
    token, one rate-limit gate, one bounded pool of workers.

    `max_concurrency` bounds the requests in flight at once: the workers are the limiter.
    """

    def __init__(self, config: t.Mapping[str, t.Any], logger: logging.Logger) -> None:
        self.max_concurrency = int(config.get("max_concurrency", 8))
        self.gate = RateGate()
        self.policy = RetryPolicy(gate=self.gate,
                                  max_retry_wait=float(config.get("max_retry_wait", 600)),
                                  logger=logger)
        self.session = _session(str(config.get("api_url", "")), self.max_concurrency + 2)
        self.authenticator = SpotifyAuthenticator(
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            auth_endpoint=config.get("auth_url", "https://accounts.spotify.com/api/token"),
            session=self.session,
            policy=self.policy,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        self._pool = ThreadPoolExecutor(max_workers=self.max_concurrency,
                                        thread_name_prefix="spotify")
        self._first_error: BaseException | None = None
        _open_connections.add(self)

    def submit(self, fn: t.Callable[..., T], *args: t.Any) -> Future[T]:
        return self._pool.submit(self._guarded, fn, *args)

    def _guarded(self, fn: t.Callable[..., T], *args: t.Any) -> T:
        """Run a worker task; the first real failure stops the others' retries."""
        try:
            return fn(*args)
        except RunCancelled:
            raise
        except BaseException as exc:
            if self._first_error is None:
                self._first_error = exc
            self.gate.stop()
            raise

    def result(self, future: Future[T]) -> T:
        """A worker's result; if it was cancelled, the failure that caused it."""
        try:
            return future.result()
        except RunCancelled:
            if self._first_error is not None:
                raise self._first_error from None
            raise

    def close(self) -> None:
        """Stop: queued tasks are dropped, retries give up, requests in flight finish."""
        self.gate.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.session.close()
        _open_connections.discard(self)


def _session(api_url: str, pool_size: int) -> requests.Session:
    """One keep-alive pool for the run. Proxy and CA settings are read from the
    environment once here: requests otherwise re-reads them for every request, which
    cost more CPU than the request itself."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.proxies = requests.utils.get_environ_proxies(api_url) if api_url else {}
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    session.trust_env = False
    return session


class SpotifyStream(RESTStream):
    """Base for tap-spotify streams: Spotify's URLs, error shapes and retry policy."""

    _tap: TapSpotify
    #: Spotify's JSON already has the types the schemas declare; checking each value of
    #: every `available_markets` list cost most of the tap's CPU.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    @property
    def url_base(self) -> str:
        return str(self.config.get("api_url", "https://api.spotify.com/v1")).rstrip("/")

    @property
    def connection(self) -> SpotifyConnection:
        return self._tap.connection

    @property
    def authenticator(self) -> SpotifyAuthenticator:
        return self.connection.authenticator

    @property
    def requests_session(self) -> requests.Session:
        return self.connection.session

    @property
    def timeout(self) -> int:
        return REQUEST_TIMEOUT_SECONDS

    @cached_property
    def market_params(self) -> dict[str, str]:
        market = self.config.get("market")
        return {"market": market} if market else {}

    @cached_property
    def emits_raw_json(self) -> bool:
        """True when nothing between `get_records` and stdout changes a record (every
        field selected, no stream map, no flattening, no BATCH files, no versions): the
        usual case. Records may then carry raw JSON (payloads.py) straight to stdout."""
        maps = self.stream_maps
        return (len(maps) == 1 and type(maps[0]) is SameRecordTransform
                and not maps[0].flattening_enabled and all(self.mask.values())
                and self.get_batch_config(self.config) is None and self._stream_version is None
                and isinstance(self._tap.message_writer, BufferedSingerWriter))

    def post_process(self, record: t.Any, context: Context | None = None) -> dict | None:
        """Decode raw JSON when the SDK's own record handling is going to need values."""
        return record if self.emits_raw_json else materialize(record)

    def _write_record_message(self, record: dict) -> None:
        """Skip the SDK's per-record pruning, conformance and mapping when they would
        change nothing: they cost several times more CPU than encoding the record."""
        if self.emits_raw_json:
            t.cast("BufferedSingerWriter", self._tap.message_writer).write_record(
                self.stream_maps[0].stream_alias, record)
            self.state_manager.is_flushed = False
        else:
            super()._write_record_message(record)

    def validate_response(self, response: requests.Response) -> None:
        """Classify with Spotify's error shapes; a 401 first drops the token it carried."""
        if response.status_code == 401:
            self.authenticator.invalidate(response.request.headers.get("Authorization"))
        classify(response)

    def request_decorator(self, func: t.Callable) -> t.Callable:
        """Retries go through the tap's one `RetryPolicy` (see retries.py), not `backoff`."""

        def with_retries(prepared: requests.PreparedRequest, context: Context | None) -> t.Any:
            what = f"{prepared.method} {prepared.path_url.split('?', 1)[0]}"
            return self.connection.policy.call(lambda: func(prepared, context), what)

        return with_retries

    def get_json(self, url: str, params: dict[str, t.Any] | None = None, *,
                 decode: t.Callable[[bytes], T] = decode_any) -> T:  # type: ignore[assignment]
        """GET a Spotify resource (a path under `url_base`, or an absolute `next` link) and
        decode its body; a body that is not the JSON expected is retried like a 5xx."""
        if not url.startswith(("http://", "https://")):
            url = self.url_base + url
        prepared = self.build_prepared_request(method="GET", url=url, params=params or {},
                                               headers=self.http_headers)

        def send(request: requests.PreparedRequest, context: Context | None) -> T:
            response = self._request(request, context)
            try:
                return decode(response.content)
            except (msgspec.DecodeError, msgspec.ValidationError):
                raise TransientError(f"GET {urlparse(url).path} answered "
                                     f"{response.status_code} with a body that is not the "
                                     "JSON expected", response) from None

        return t.cast("T", self.request_decorator(send)(prepared, None))

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        raise NotImplementedError  # each stream defines its own; kept abstract here


__all__ = ["SpotifyConnection", "SpotifyStream", "TapSpotifyError"]
