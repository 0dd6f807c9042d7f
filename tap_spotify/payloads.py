"""Spotify's response bodies, decoded no deeper than the tap needs.

Track objects and full-album fields pass through as raw JSON (`msgspec.Raw`):
msgspec checks that they are valid JSON, and the writer copies their bytes to
stdout. The ~185 market codes of every track are never turned into Python objects
and back, which was most of the tap's CPU. When a stream map, flattening or field
selection needs real values, `materialize` decodes a record first.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import msgspec

Raw = msgspec.Raw
RawObject = dict[str, msgspec.Raw]


class TrackPage(msgspec.Struct):
    """A paging object of simplified tracks, its items left undecoded."""

    items: list[msgspec.Raw]
    total: int = 0
    next: str | None = None


class AlbumPage(msgspec.Struct):
    """A paging object of simplified albums (new releases, search), items undecoded."""

    items: list[RawObject | None]
    total: int = 0
    offset: int = 0
    next: str | None = None


class _AlbumListing(msgspec.Struct):
    albums: AlbumPage


_decode_album_listing = msgspec.json.Decoder(_AlbumListing).decode


def decode_album_page(body: bytes) -> AlbumPage:
    """The page of albums in a `/browse/new-releases` or `/search` answer."""
    return _decode_album_listing(body).albums


decode_any = msgspec.json.Decoder().decode
decode_album = msgspec.json.Decoder(RawObject).decode
decode_several_albums = msgspec.json.Decoder(dict[str, list[RawObject | None]]).decode
decode_track_page = msgspec.json.Decoder(TrackPage).decode
_decode_value = msgspec.json.decode
_encode = msgspec.json.encode


@dataclass
class FullAlbum:
    """A full album object and all its tracks, as Spotify sent them."""

    id: str
    fields: RawObject
    tracks: list[msgspec.Raw]

    @classmethod
    def from_fields(cls, fields: RawObject) -> tuple[FullAlbum, TrackPage]:
        """The album and its embedded first page of tracks (to know if more pages exist)."""
        page = decode_track_page(fields["tracks"])
        album_id = _decode_value(fields["id"])
        return cls(album_id, {k: v for k, v in fields.items() if k != "tracks"},
                   list(page.items)), page

    def value(self, field: str) -> t.Any:
        return value_of(self.fields, field)


def value_of(fields: RawObject, field: str) -> t.Any:
    """One field of a raw JSON object, decoded (None when absent)."""
    raw = fields.get(field)
    return None if raw is None else _decode_value(raw)


def field_appender(name: str, value: t.Any) -> t.Callable[[msgspec.Raw], msgspec.Raw]:
    """A function that adds `"name": value` to raw JSON objects without decoding them
    (one copy of the bytes per object)."""
    tail = b"," + _encode(name) + b":" + _encode(value) + b"}"

    def append(raw_object: msgspec.Raw) -> msgspec.Raw:
        view = memoryview(raw_object)  # the exact span of the object: `{` ... `}`
        if len(view) < 8 and not bytes(view[1:-1]).strip():  # an empty object
            return msgspec.Raw(b"{" + tail[1:])
        return msgspec.Raw(b"".join((view[:-1], tail)))

    return append


def materialize(record: t.Any) -> dict:
    """A record as plain Python values, for the SDK's maps, flattening and selection."""
    if isinstance(record, msgspec.Raw):
        return t.cast("dict", _decode_value(record))
    return {key: _decode_value(value) if isinstance(value, msgspec.Raw) else value
            for key, value in record.items()}
