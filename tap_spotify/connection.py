"""What every stream and worker shares for one run: one HTTP connection pool, one
token, one rate-limit gate and one bounded pool of workers."""

from __future__ import annotations

import logging
import typing as t
import weakref
from concurrent.futures import Future, ThreadPoolExecutor

import requests

from tap_spotify.auth import SpotifyAuthenticator
from tap_spotify.errors import RunCancelled
from tap_spotify.retries import RateGate, RetryPolicy
from tap_spotify.transport import ApiTransport, ca_bundle_from_environment

T = t.TypeVar("T")

REQUEST_TIMEOUT_SECONDS = 30

_open_connections: weakref.WeakSet[SpotifyConnection] = weakref.WeakSet()


def close_connections() -> None:
    """Close every connection this process opened (the CLI calls it on its way out)."""
    for connection in list(_open_connections):
        connection.close()


class SpotifyConnection:
    """What every stream and worker shares for one run: one HTTP connection pool for the
    Web API (and a requests session for the token), one token, one rate-limit gate, one
    bounded pool of workers.

    `max_concurrency` bounds the requests in flight at once: the workers are the limiter.
    """

    def __init__(self, config: t.Mapping[str, t.Any], logger: logging.Logger) -> None:
        self.max_concurrency = int(config.get("max_concurrency", 8))
        self.gate = RateGate()
        self.policy = RetryPolicy(gate=self.gate,
                                  max_retry_wait=float(config.get("max_retry_wait", 600)),
                                  logger=logger)
        api_url = str(config.get("api_url", "https://api.spotify.com/v1"))
        self.transport = ApiTransport(api_url, self.max_concurrency + 2, REQUEST_TIMEOUT_SECONDS)
        auth_url = str(config.get("auth_url", "https://accounts.spotify.com/api/token"))
        self.session = _session(auth_url)
        self.authenticator = SpotifyAuthenticator(
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            auth_endpoint=auth_url,
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
        self.transport.close()
        self.session.close()
        _open_connections.discard(self)


def _session(auth_url: str) -> requests.Session:
    """The session for the token endpoint. Proxy and CA settings are read from the
    environment once here: requests otherwise re-reads them for every request."""
    session = requests.Session()
    session.proxies = requests.utils.get_environ_proxies(auth_url)
    ca_bundle = ca_bundle_from_environment()
    if ca_bundle:
        session.verify = ca_bundle
    session.trust_env = False
    return session
