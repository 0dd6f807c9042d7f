"""The base stream, and what every stream of a run shares.

Requests go through the SDK's own path (`request_records`, `request_decorator`,
`validate_response`); what Spotify needs beyond it lives here:
- `SpotifyClient`: the settings, the session (session.py), the token (auth.py), the
  workers, and the checks every answer passes;
- `NextLinkPaginator`: follows `next` links, but never to another host and never
  round a loop, whether the loop is in the links or in what the pages hold;
- `SpotifyStream`: Spotify's URLs, answers and retry policy (retry.py), and the
  record's shape (records.py).
"""

from __future__ import annotations

import base64
import itertools
import logging
import typing as t
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from urllib.parse import parse_qsl, urlparse

import backoff
import msgspec
import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import BaseHATEOASPaginator
from singer_sdk.streams import RESTStream

from tap_spotify import retry
from tap_spotify.auth import SpotifyAuthenticator
from tap_spotify.errors import MalformedAnswer, Redactor, classify, error_in_body, where
from tap_spotify.records import RecordShape
from tap_spotify.session import SpotifySession

if t.TYPE_CHECKING:
    from backoff.types import Details
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_spotify.settings import Settings
    from tap_spotify.streams.listeners import Listener

try:
    from typing import override  # type: ignore[attr-defined]
except ImportError:  # Python < 3.12
    from typing_extensions import override

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

    def __init__(self, settings: Settings, logger: logging.Logger) -> None:
        self.settings = settings
        self.logger = logger
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
            refresh_token=settings.refresh_token, logger=self.logger)

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


class NextLinkPaginator(BaseHATEOASPaginator):
    """Follows Spotify's absolute `next` links: not to another host (the token would
    go with it), not to a page already fetched, not past `max_offset`, and not past a
    page that held only items already read (a cursor that changes on every page over
    the same items: `Listing` notices it)."""

    def __init__(self, stream: SpotifyStream, listing: Listing,
                 max_offset: int | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.listing = listing
        self.max_offset = max_offset
        self.seen_pages: set[tuple[str, frozenset[tuple[str, str]]]] = set()

    @override
    def get_next_url(self, response: requests.Response) -> str | None:
        self.seen_pages.add(page_key(response.url))
        url = self.stream.next_link(body_of(response), where(response))
        if not url or self.listing.ended or not self.stream.on_api_host(url):
            return None
        if page_key(url) in self.seen_pages:
            self.stream.logger.warning(
                "%s: Spotify's next-page link leads back to a page already read; stopping "
                "there, so the listing may be incomplete.", self.stream.name)
            return None
        offset = dict(parse_qsl(urlparse(url).query)).get("offset", "0")
        if self.max_offset is not None and offset.isdigit() and int(offset) > self.max_offset:
            return None
        return url


class Listing:
    """The items one listing has handed out so far: a page of nothing but items
    already read ends it, with a warning, and an item read twice is kept once."""

    def __init__(self, stream: SpotifyStream) -> None:
        self.stream = stream
        self.seen: set[str] = set()
        self.ended = False

    def new_items(self, items: list) -> list:
        ids = [self.stream.item_identity(item) for item in items]
        fresh = [item for item, id_ in zip(items, ids, strict=True)
                 if id_ is None or id_ not in self.seen]
        if items and not fresh:
            self.ended = True
            self.stream.logger.warning(
                "%s: Spotify's next page holds only items already read; stopping there, "
                "so the listing may be incomplete.", self.stream.name)
        self.seen.update(id_ for id_ in ids if id_ is not None)
        return fresh


def page_key(url: str) -> tuple[str, frozenset[tuple[str, str]]]:
    """A page's identity: its path and query, whatever the order of the parameters."""
    parsed = urlparse(url)
    params = dict(parse_qsl(parsed.query))
    params.setdefault("offset", "0")
    return parsed.path.rstrip("/"), frozenset(params.items())


class SpotifyStream(RESTStream):
    """Base of tap-spotify's API streams."""

    #: Records are Spotify's typed JSON: `RecordShape` checks the top level (types,
    #: keys, undeclared fields) for a fraction of the SDK's per-field conformance.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    #: A redirect is an answer to report, never to follow (session.py).
    allow_redirects = False
    #: Where the items of a page are, and its `next` link.
    items_key: tuple[str, ...] = ("items",)
    #: Whether a page's items may be `null` (kept for the stream to handle).
    null_items: t.ClassVar[bool] = False
    #: Children synced once per group or playlist say only what matters (warnings);
    #: their parent reports progress.
    quiet: t.ClassVar[bool] = False

    def __init__(self, tap: Tap, client: SpotifyClient, listener: Listener) -> None:
        super().__init__(tap)
        self.client = client
        self.settings = client.settings
        self.listener = listener
        self.shape = RecordShape(self.name, self.schema, self.primary_keys, self.logger)
        self.listing = Listing(self)
        if self.quiet:
            self.logger.setLevel(logging.WARNING)

    @classmethod
    def state_problem(cls, state: dict) -> str | None:
        """What is wrong with this stream's part of an input state, or None."""
        value = state.get("replication_key_value")
        if value is not None and not isinstance(value, str):
            return "replication_key_value should be a date-time"
        return None

    @property
    @override
    def url_base(self) -> str:
        return self.settings.api_url.rstrip("/")

    @property
    @override
    def authenticator(self) -> SpotifyAuthenticator:
        return self.client.authenticator

    @property
    @override
    def requests_session(self) -> requests.Session:
        return self.client.session

    @property
    @override
    def timeout(self) -> int:
        return self.settings.request_timeout  # the session applies it to the whole request

    @property
    def market_params(self) -> dict[str, str]:
        return {"market": self.settings.market} if self.settings.market else {}

    @property
    def page_size(self) -> int:
        return self.settings.page_size

    # Requests: Spotify's errors and the one retry policy.

    @override
    def validate_response(self, response: requests.Response) -> None:
        self.client.check(response)

    @override
    def request_decorator(self, func: t.Callable) -> t.Callable:
        """The SDK's, without the `backoff` library's own log lines: `backoff_handler`
        says each retry once, and the final error is one line."""
        return backoff.on_exception(
            self.backoff_wait_generator, retry.TRANSIENT, max_tries=self.backoff_max_tries,
            on_backoff=self.backoff_handler, jitter=self.backoff_jitter, logger=None)(func)

    @override
    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        return retry.waits(self.client.session.gate)  # type: ignore[return-value]

    @override
    def backoff_max_tries(self) -> int:
        return retry.BACKOFF_MAX_TRIES

    @override
    def backoff_jitter(self, value: float) -> float:
        return value  # the policy jitters where it should, and never a Retry-After

    @override
    def backoff_handler(self, details: Details) -> None:
        exc = details.get("exception")
        self.logger.warning("%s: %s; retry %d in %.1f s", self.name,
                            retry.describe(exc) if exc else "failed",
                            details["tries"], details.get("wait", 0.0))

    @override
    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """The stream's `records`; in the SDK's dry run (`--test`) only as many as it
        asks for, so that its own stop after them never shows as an error."""
        if not self.settings.has_app:
            self.client.say_once("Only the listening-history streams run: "
                                 "streaming_history_path is set, and no Spotify app "
                                 "credentials are.")
            return iter(())
        records = self.records(context)
        limit = self.ABORT_AT_RECORD_COUNT
        return records if limit is None else itertools.islice(records, limit)

    def records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """What the stream reads (each stream says how)."""
        yield from self.request_records(context)

    @override
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
                            self.client.redact(target.netloc))
        return False

    @override
    def get_new_paginator(self) -> NextLinkPaginator:
        """Called as each listing starts: a new one, with what it has handed out."""
        self.listing = Listing(self)
        return NextLinkPaginator(self, self.listing)

    def page_of(self, body: t.Any, source: str) -> dict:
        """The paging object of an answer from `source` (`GET /v1/...`), or
        MalformedAnswer."""
        page = body
        for key in self.items_key[:-1]:
            page = page.get(key) if isinstance(page, dict) else None
        if not isinstance(page, dict):
            raise malformed(source, f"{json_type(page)} where the "
                            f"{'.'.join(self.items_key[:-1]) or 'answer'} object belongs")
        return page

    def items_of(self, body: t.Any, source: str) -> list:
        """The page's items: objects (or nulls where the stream keeps them)."""
        items = self.page_of(body, source).get(self.items_key[-1])
        if items is None:
            return []
        if not isinstance(items, list):
            raise malformed(source, f"{json_type(items)} where the list of items belongs")
        for item in items:
            if not isinstance(item, dict) and not (item is None and self.null_items):
                raise malformed(source, f"{json_type(item)} in the list of items, where "
                                "objects belong")
        return items

    def item_identity(self, item: t.Any) -> str | None:
        """What tells one item of a listing from another (loop detection)."""
        value = item.get("id") if isinstance(item, dict) else None
        return value if isinstance(value, str) else None

    def next_link(self, body: t.Any, source: str) -> str | None:
        link = self.page_of(body, source).get("next")
        if link is not None and not isinstance(link, str):
            raise malformed(source, f"a next-page link that is {json_type(link)}, not a URL")
        return link or None

    @override
    def get_url_params(self, context: Context | None, next_page_token: t.Any,
                       ) -> dict[str, t.Any]:
        if next_page_token is not None:  # the next link's own query, on our host
            return dict(parse_qsl(next_page_token.query))
        return self.first_page_params(context)

    def first_page_params(self, context: Context | None) -> dict[str, t.Any]:
        return {"limit": self.page_size, "offset": 0, **self.market_params}

    @override
    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        return iter(self.listing.new_items(self.items_of(body_of(response), where(response))))

    @override
    def post_process(self, record: dict, context: Context | None = None) -> dict | None:
        return self.shape.check(record)
