"""The base stream, and the HTTP session every stream of a run shares.

Requests go through the SDK's own path (`request_records`, `request_decorator`,
`validate_response`); what Spotify needs beyond it lives here:
- `SpotifySession`: one keep-alive pool, a deadline for each whole request (a body
  that trickles in byte by byte cannot hold a run for ever), and one pause for every
  worker when Spotify answers 429;
- `NextLinkPaginator`: follows `next` links, but never to another host and never
  round a loop;
- `SpotifyStream`: Spotify's URLs, errors and retry policy (auth.py).
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import threading
import time
import typing as t
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from urllib.parse import parse_qsl, urlparse

import msgspec
import requests
import urllib3
from requests.adapters import HTTPAdapter
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import BaseHATEOASPaginator
from singer_sdk.streams import RESTStream

from tap_spotify.auth import (
    BACKOFF_MAX_TRIES,
    SpotifyAuthenticator,
    backoff_waits,
    describe_failure,
)
from tap_spotify.errors import RequestDeadline, classify, retry_after_seconds, where

if t.TYPE_CHECKING:
    from backoff.types import Details
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

T = t.TypeVar("T")

#: Connecting gets no longer than this, within the request's whole deadline.
CONNECT_TIMEOUT_SECONDS = 10.0
#: No Spotify answer comes near this; a larger body is a broken or hostile server.
MAX_BODY_BYTES = 64 << 20

decode_json = msgspec.json.Decoder().decode
#: Each answer's body, decoded once (in `validate_response`, so that a broken body is
#: retried like a 5xx) for the paginator and `parse_response` to read.
BODIES: weakref.WeakKeyDictionary[requests.Response, t.Any] = weakref.WeakKeyDictionary()


def body_of(response: requests.Response) -> t.Any:
    if response not in BODIES:
        BODIES[response] = decode_json(response.content)
    return BODIES[response]


class DeadlineAdapter(HTTPAdapter):
    """Reads each body itself, so that the whole request has a deadline: requests'
    own timeout applies to each read, and a server may send a byte a second."""

    def __init__(self, deadline: float, pool_size: int) -> None:
        super().__init__(pool_connections=2, pool_maxsize=pool_size)
        self.deadline = deadline

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: t.Any = None, **kwargs: t.Any) -> requests.Response:
        give_up_at = time.monotonic() + self.deadline
        response = super().send(request, stream=True, **kwargs, timeout=(
            min(CONNECT_TIMEOUT_SECONDS, self.deadline), self.deadline))
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := raw.read1(1 << 16, decode_content=False):
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > give_up_at or size > MAX_BODY_BYTES:
                    what = "took longer than" if size <= MAX_BODY_BYTES else "sent more than"
                    limit = (f"{self.deadline:.0f} s" if size <= MAX_BODY_BYTES
                             else f"{MAX_BODY_BYTES >> 20} MiB")
                    host = urlparse(request.url or "").netloc
                    raise RequestDeadline(f"{host} {what} {limit} "
                                          "to answer one request", request=request)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc, request=request) from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as exc:
            raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
        finally:
            response.close()
        body = urllib3.HTTPResponse(
            body=io.BytesIO(b"".join(chunks)), headers=raw.headers, status=raw.status,
            reason=raw.reason, preload_content=False, decode_content=True)
        return self.build_response(request, body)


class RateGate:
    """Holds every request while Spotify has asked the app to back off: one rate
    limit covers the whole app, so one 429 pauses all workers."""

    def __init__(self) -> None:
        self.resume_at = 0.0
        self.lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.resume_at = max(self.resume_at, time.monotonic() + seconds)

    def wait(self) -> None:
        while (delay := self.resume_at - time.monotonic()) > 0:
            time.sleep(delay)


class SpotifySession(requests.Session):
    """The run's one session: deadline, shared pause on 429, request count."""

    def __init__(self, *, max_retry_wait: float, pool_size: int, deadline: float) -> None:
        super().__init__()
        adapter = DeadlineAdapter(deadline, pool_size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        # requests reads the CA variables only in `Session.request`; the SDK calls `send`.
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
            "CURL_CA_BUNDLE") or True
        self.gate = RateGate()
        self.max_retry_wait = max_retry_wait
        self.counter = itertools.count(1)
        self.requests_sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        self.gate.wait()
        self.requests_sent = next(self.counter)
        response = super().send(request, **kwargs)
        if response.status_code == 429:
            wait = retry_after_seconds(response)
            if wait is not None and wait <= self.max_retry_wait:
                self.gate.pause(wait)
        return response


class SpotifyClient:
    """What every stream of a run shares: the session, the token, the workers. Built
    on first use, once the settings have been checked."""

    def __init__(self, config: t.Mapping[str, t.Any], logger: logging.Logger) -> None:
        self.config = config
        self.logger = logger
        self.said: set[str] = set()

    def say_once(self, message: str) -> None:
        """An INFO line that several streams would otherwise each say."""
        if message not in self.said:
            self.said.add(message)
            self.logger.info(message)

    @property
    def max_concurrency(self) -> int:
        return int(self.config["max_concurrency"])

    @cached_property
    def session(self) -> SpotifySession:
        return SpotifySession(max_retry_wait=float(self.config["max_retry_wait"]),
                              pool_size=self.max_concurrency + 2,
                              deadline=float(self.config["request_timeout"]))

    @cached_property
    def authenticator(self) -> SpotifyAuthenticator:
        return SpotifyAuthenticator(
            client_id=str(self.config.get("client_id") or ""),
            client_secret=str(self.config.get("client_secret") or ""),
            auth_endpoint=str(self.config["auth_url"]),
            api_url=str(self.config["api_url"]),
            session=self.session,
            max_retry_wait=float(self.config["max_retry_wait"]),
            refresh_token=self.config.get("refresh_token"),
            logger=self.logger,
        )

    @cached_property
    def workers(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="spotify")

    def map(self, fn: t.Callable[[str], T], items: t.Iterable[str]) -> list[T]:
        """`fn` over `items`, up to `max_concurrency` at once, results in order."""
        return list(self.workers.map(fn, items))


class NextLinkPaginator(BaseHATEOASPaginator):
    """Follows Spotify's absolute `next` links: not to another host (the token would
    go with it), not to a page already fetched (a loop), not past `max_offset`."""

    def __init__(self, stream: SpotifyStream, link: t.Callable[[t.Any], str | None],
                 max_offset: int | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.link = link
        self.max_offset = max_offset
        self.seen: set[tuple[str, frozenset[tuple[str, str]]]] = set()

    def get_next_url(self, response: requests.Response) -> str | None:
        self.seen.add(page_key(response.url))
        url = self.link(response)
        if not url:
            return None
        if not self.stream.on_api_host(url):
            return None
        target = urlparse(url)
        if page_key(url) in self.seen:
            self.stream.logger.warning(
                "%s: Spotify's next-page link leads back to a page already read; stopping "
                "there, so the listing may be incomplete.", self.stream.name)
            return None
        offset = dict(parse_qsl(target.query)).get("offset", "0")
        if self.max_offset is not None and offset.isdigit() and int(offset) > self.max_offset:
            return None
        return url


def page_key(url: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """A page's identity: its path and query, whatever the order of the parameters."""
    parsed = urlparse(url)
    params = dict(parse_qsl(parsed.query))
    params.setdefault("offset", "0")
    return parsed.path.rstrip("/"), frozenset(params.items())


class QuietRepeats(logging.Filter):
    """Drops lines that say again what another line says: the `backoff` library's
    "Backing off ..." (`backoff_handler` says it as a warning); the SDK's "Beginning
    sync of ..." after the first one of a child stream, which it logs once per group of
    albums (the parent reports progress instead); and, in `--test`, the SDK's "unhandled
    error" line for the stop it makes itself after one record (a real failure still
    ends the run with its own line)."""

    def __init__(self, stream: SpotifyStream) -> None:
        super().__init__()
        self.stream = stream
        self.started = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith(("Backing off ", "Giving up ")):
            return False
        if message.startswith("An unhandled error occurred") and \
                self.stream.ABORT_AT_RECORD_COUNT is not None:
            return False
        if message.startswith("Beginning sync of") and self.started:
            return False
        self.started = self.started or message.startswith("Beginning sync of")
        return True


class SpotifyStream(RESTStream):
    """Base of tap-spotify's API streams."""

    #: Spotify's JSON has the types the schemas declare: check only the top level,
    #: where a field Spotify adds is dropped with the SDK's warning.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY
    #: Where the items of a page are, and its `next` link.
    items_key: tuple[str, ...] = ("items",)

    def __init__(self, tap: Tap, client: SpotifyClient) -> None:
        super().__init__(tap)
        self.client = client
        self.logger.addFilter(QuietRepeats(self))

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

    @property
    def authenticator(self) -> SpotifyAuthenticator:
        return self.client.authenticator

    @property
    def requests_session(self) -> requests.Session:
        return self.client.session

    @property
    def timeout(self) -> int:
        return int(self.config["request_timeout"])  # DeadlineAdapter applies it

    @property
    def market_params(self) -> dict[str, str]:
        market = self.config.get("market")
        return {"market": str(market).upper()} if market else {}

    @property
    def page_size(self) -> int:
        return int(self.config["page_size"])

    # Requests: Spotify's errors and the one retry policy.

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == 401:  # drop the token it carried, then retry
            self.authenticator.invalidate(response.request.headers.get("Authorization"))
        classify(response, max_retry_wait=self.client.session.max_retry_wait)
        try:
            body_of(response)
        except msgspec.DecodeError:
            raise RetriableAPIError(f"{where(response)} answered {response.status_code} "
                                    "with a body that is not JSON") from None

    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        return backoff_waits()  # type: ignore[return-value]

    def backoff_max_tries(self) -> int:
        return BACKOFF_MAX_TRIES

    def backoff_jitter(self, value: float) -> float:
        return value  # the policy jitters where it should, and never a Retry-After

    def backoff_handler(self, details: Details) -> None:
        exc = details.get("exception")
        self.logger.warning("%s: %s; retry %d in %.1f s", self.name,
                            describe_failure(exc) if exc else "failed",
                            details["tries"], details.get("wait", 0.0))

    def send_one(self, request: requests.PreparedRequest, context: Context | None = None,
                 ) -> requests.Response:
        """One request the way the SDK sends them, for requests outside its paging loop
        (the development tier's per-album requests, sent by several workers)."""
        response = self.requests_session.send(self.authenticator(request),
                                              timeout=self.timeout)
        self.validate_response(response)
        return response

    def get_json(self, path: str, params: dict[str, t.Any]) -> t.Any:
        """GET one resource under `url_base`, retried by the policy."""
        request = self.build_prepared_request(method="GET", url=self.url_base + path,
                                              params=params, headers=self.http_headers)
        response = self.request_decorator(self.send_one)(request, None)
        return body_of(response)

    def generate_child_contexts(self, record: dict, context: Context | None,
                                ) -> t.Iterable[Context | None]:
        """No child, no context: the SDK's default copies every record for nothing."""
        return super().generate_child_contexts(record, context) if self.child_streams else ()

    # Pages.

    def on_api_host(self, url: str) -> bool:
        """Whether a link Spotify sent stays on the API's host; warns when it does not
        (the token must not go with it)."""
        api, target = urlparse(self.url_base), urlparse(url)
        if (target.scheme, target.netloc) == (api.scheme, api.netloc):
            return True
        self.logger.warning("%s: Spotify's next-page link points to another host (%s); not "
                            "following it, so the listing may be incomplete.", self.name,
                            target.netloc)
        return False

    def get_new_paginator(self) -> NextLinkPaginator:
        return NextLinkPaginator(self, self.next_link)

    def page_of(self, body: t.Any) -> dict:
        for key in self.items_key[:-1]:
            body = body.get(key) or {}
        return t.cast("dict", body)

    def next_link(self, response: requests.Response) -> str | None:
        return self.page_of(body_of(response)).get("next")

    def get_url_params(self, context: Context | None, next_page_token: t.Any,
                       ) -> dict[str, t.Any]:
        if next_page_token is not None:  # the next link's own query, on our host
            return dict(parse_qsl(next_page_token.query))
        return self.first_page_params(context)

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {"limit": self.page_size, "offset": 0, **self.market_params}

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        items = self.page_of(body_of(response)).get(self.items_key[-1]) or []
        return (item for item in items if item)
