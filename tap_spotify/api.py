"""The run's connection to Spotify's Web API, shared by every stream: the settings,
the session (session.py), the token (auth.py), the workers, and the checks every
answer passes; plus one GET outside a stream's paging, retried by the one policy."""

from __future__ import annotations

import base64
import logging
import typing as t
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import backoff
import msgspec
import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_spotify import retry
from tap_spotify.auth import SpotifyAuthenticator
from tap_spotify.errors import MalformedAnswer, Redactor, classify, error_in_body, where
from tap_spotify.session import SpotifySession

if t.TYPE_CHECKING:
    from tap_spotify.settings import Settings

T = t.TypeVar("T")

decode_json = msgspec.json.Decoder().decode
#: Each answer's body, decoded once (in `validate_response`, so that a broken body is
#: retried like a 5xx) for the paginator and `parse_response` to read.
BODIES: weakref.WeakKeyDictionary[requests.Response, t.Any] = weakref.WeakKeyDictionary()


def body_of(response: requests.Response) -> t.Any:
    if response not in BODIES:
        BODIES[response] = decode_json(response.content)
    return BODIES[response]


class SpotifyClient:
    """What every stream of a run shares: the settings, the session, the token, the
    workers. Built at discovery; nothing connects before the first request."""

    def __init__(self, settings: Settings, logger: logging.Logger,
                 login: str = "tap-spotify login") -> None:
        self.settings = settings
        self.logger = logger
        #: The command that renews the listener's authorization, for messages.
        self.login = login
        self.redact = Redactor(settings.secrets)
        if settings.client_secret:  # as a Basic header carries it, should a server echo it
            self.redact.add(base64.b64encode(
                f"{settings.client_id or ''}:{settings.client_secret}".encode()).decode())
        self.said: set[str] = set()

    def say_once(self, message: str) -> None:
        """An INFO line that several streams would otherwise each say."""
        if message not in self.said:
            self.said.add(message)
            self.logger.info(message)

    @cached_property
    def session(self) -> SpotifySession:
        return SpotifySession(pool_size=self.settings.max_concurrency + 2,
                              deadline=float(self.settings.request_timeout))

    @cached_property
    def authenticator(self) -> SpotifyAuthenticator:
        settings = self.settings
        return SpotifyAuthenticator(
            client_id=settings.client_id or "", client_secret=settings.client_secret or "",
            auth_endpoint=settings.auth_url, api_url=settings.api_url, session=self.session,
            max_retry_wait=float(settings.max_retry_wait), redact=self.redact,
            refresh_token=settings.refresh_token, login=self.login, logger=self.logger)

    @cached_property
    def workers(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.settings.max_concurrency,
                                  thread_name_prefix="spotify")

    def map(self, fn: t.Callable[[str], T], items: t.Iterable[str]) -> list[T]:
        """`fn` over `items`, up to `max_concurrency` at once, results in order."""
        return list(self.workers.map(fn, items))

    def check(self, response: requests.Response) -> None:
        """What every answer must pass: Spotify's error statuses (an error object sent
        with a 200 included), and a JSON body."""
        if response.status_code == 401:  # drop the token it carried, then retry
            self.authenticator.invalidate(response.request.headers.get("Authorization"))
        classify(response, max_retry_wait=float(self.settings.max_retry_wait),
                 redact=self.redact)
        try:
            body = body_of(response)
        except msgspec.DecodeError:
            raise RetriableAPIError(f"{where(response)} answered {response.status_code} "
                                    "with a body that is not JSON") from None
        status = error_in_body(body)
        if status is not None:
            classify(response, max_retry_wait=float(self.settings.max_retry_wait),
                     redact=self.redact, status=status)

    def get_json(self, path: str, params: t.Mapping[str, t.Any] | None = None) -> t.Any:
        """GET one resource under `api_url`, outside a stream's paging, retried by the
        policy: an object, or MalformedAnswer."""
        url = self.settings.api_url.rstrip("/") + path

        def send() -> requests.Response:
            request = self.session.prepare_request(
                requests.Request("GET", url, params=dict(params or {})))
            response = self.session.send(self.authenticator(request),
                                         timeout=self.settings.request_timeout)
            self.check(response)
            return response

        response = backoff.on_exception(
            lambda: retry.waits(self.session.gate), retry.TRANSIENT,
            max_tries=retry.BACKOFF_MAX_TRIES, jitter=None, logger=None,
            on_backoff=lambda d: self.logger.warning(
                "GET %s: %s; retry %d in %.1f s", path,
                retry.describe(d["exception"]),  # type: ignore[typeddict-item]
                d["tries"], d["wait"]),
        )(send)()
        body = body_of(response)
        if not isinstance(body, dict):
            raise malformed(where(response), f"{json_type(body)} where an object belongs")
        return body


def malformed(source: str, what: str) -> MalformedAnswer:
    """The one line for an answer from `source` (`GET /v1/...`) that is not in a shape
    Spotify's reference documents."""
    return MalformedAnswer(f"{source} answered with {what}: Spotify's answer cannot be "
                           "read. Everything written before is valid; run again later, and "
                           "report it if it persists.")


def json_type(value: object) -> str:
    """A value's JSON type in words, for messages (never the value itself)."""
    return {dict: "an object", list: "a list", str: "text", bool: "true or false",
            type(None): "null"}.get(type(value), "a number")
