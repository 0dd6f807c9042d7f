"""The base stream: Spotify's URLs, errors and retries, and the connection streams share."""

from __future__ import annotations

import logging
import typing as t
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property

import requests
from requests.adapters import HTTPAdapter
from singer_sdk.streams import RESTStream

from tap_spotify.auth import SpotifyAuthenticator
from tap_spotify.errors import RunCancelled, TapSpotifyError, classify, json_body
from tap_spotify.retries import RateGate, RetryPolicy

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_spotify.tap import TapSpotify

T = t.TypeVar("T")

REQUEST_TIMEOUT_SECONDS = 30


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
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=self.max_concurrency + 2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
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


class SpotifyStream(RESTStream):
    """Base for tap-spotify streams: Spotify's URLs, error shapes and retry policy."""

    _tap: TapSpotify

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

    def get_json(self, url: str, params: dict[str, t.Any] | None = None) -> dict:
        """GET a Spotify resource (a path under `url_base`, or an absolute `next` link)."""
        if not url.startswith(("http://", "https://")):
            url = self.url_base + url
        prepared = self.build_prepared_request(method="GET", url=url, params=params or {},
                                               headers=self.http_headers)
        response = self.request_decorator(self._request)(prepared, None)
        return json_body(response)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        raise NotImplementedError  # each stream defines its own; kept abstract here


__all__ = ["SpotifyConnection", "SpotifyStream", "TapSpotifyError"]
