"""The base stream of tap-spotify's API streams.

Requests go through the SDK's own path (`request_records`, `request_decorator`,
`validate_response`); what Spotify needs beyond it is here: Spotify's URLs, the shape
of its paging objects, the one retry policy (retry.py), the record's shape
(records.py), and what the run shares (api.py).
"""

from __future__ import annotations

import logging
import typing as t
from urllib.parse import parse_qsl, urlparse

import backoff
import requests
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import RESTStream
from typing_extensions import override

from tap_spotify import retry
from tap_spotify.api import body_of, json_type, malformed
from tap_spotify.errors import where
from tap_spotify.paging import Listing, NextLinkPaginator
from tap_spotify.records import RecordShape, dry_run

if t.TYPE_CHECKING:
    from backoff.types import Details
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_spotify.api import SpotifyClient
    from tap_spotify.auth import SpotifyAuthenticator
    from tap_spotify.streams.listeners import Listener


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
        return dry_run(self.records(context), self.ABORT_AT_RECORD_COUNT)

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
