"""The base stream: Spotify's URLs, error shapes, retries and record output."""

from __future__ import annotations

import typing as t
from functools import cached_property
from urllib.parse import urlencode, urlparse

import msgspec
import requests
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.streams import RESTStream

from tap_spotify.auth import SpotifyAuthenticator
from tap_spotify.connection import SpotifyConnection
from tap_spotify.errors import TransientError, classify
from tap_spotify.payloads import decode_any, materialize
from tap_spotify.transport import ApiAnswer
from tap_spotify.writer import BufferedSingerWriter

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_spotify.tap import TapSpotify

T = t.TypeVar("T")

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

    @cached_property
    def market_params(self) -> dict[str, str]:
        market = self.config.get("market")
        return {"market": str(market).upper()} if market else {}

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

    def validate_response(self, response: ApiAnswer) -> None:  # type: ignore[override]
        """Classify with Spotify's error shapes; a 401 first drops the token it carried."""
        if response.status_code == 401:
            self.authenticator.invalidate(response.authorization)
        classify(response)

    def get_json(self, url: str, params: dict[str, t.Any] | None = None, *,
                 decode: t.Callable[[bytes], T] = decode_any) -> T:  # type: ignore[assignment]
        """GET a Spotify resource (a path under `url_base`, or an absolute `next` link) and
        decode its body; a body that is not the JSON expected is retried like a 5xx.

        The request goes out through transport.py, not requests, and is retried by the
        tap's `RetryPolicy`; the SDK's request metric and `validate_response` still apply.
        """
        if not url.startswith(("http://", "https://")):
            url = self.url_base + url
        if params:
            url = f"{url}?{urlencode(params, safe=',')}"
        where = f"GET {urlparse(url).path}"
        return self.connection.policy.call(lambda: self._get(url, where, decode), where)

    def _get(self, url: str, where: str, decode: t.Callable[[bytes], T]) -> T:
        answer = self.connection.transport.get(url, {
            "Authorization": self.authenticator.authorization(),
            "User-Agent": self.user_agent,
            "Accept-Encoding": "gzip",
        })
        self._write_request_duration_log(endpoint=self.path, context=None, extra_tags=None,
                                         response=t.cast("requests.Response", answer))
        self.validate_response(answer)
        try:
            return decode(answer.content)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise TransientError(f"{where} answered {answer.status_code} with a body that is "
                                 "not the JSON expected") from None
