"""Spotify's objects, as the schemas of several streams nest them (after Spotify's
OpenAPI description). Nested objects keep whatever fields Spotify sends: only the top
level of a record is checked against its schema."""

from __future__ import annotations

from singer_sdk import typing as th

EXTERNAL_URLS = th.ObjectType(th.Property("spotify", th.StringType))
RESTRICTIONS = th.ObjectType(th.Property("reason", th.StringType))
FOLLOWERS = th.ObjectType(th.Property("href", th.StringType),
                          th.Property("total", th.IntegerType))
IMAGE = th.ObjectType(
    th.Property("url", th.StringType),
    th.Property("height", th.IntegerType),
    th.Property("width", th.IntegerType),
)


def link_fields() -> list[th.Property]:
    """What every Spotify object has: where it lives."""
    return [
        th.Property("external_urls", EXTERNAL_URLS),
        th.Property("href", th.StringType),
        th.Property("id", th.StringType),
        th.Property("type", th.StringType),
        th.Property("uri", th.StringType),
    ]


SIMPLE_ARTIST = th.ObjectType(*link_fields(), th.Property("name", th.StringType))
LINKED_TRACK = th.ObjectType(*link_fields())

ARTIST_FIELDS: list[th.Property] = [
    *link_fields(),
    th.Property("name", th.StringType),
    th.Property("followers", FOLLOWERS),
    th.Property("genres", th.ArrayType(th.StringType)),
    th.Property("images", th.ArrayType(IMAGE)),
    th.Property("popularity", th.IntegerType),
]

SIMPLE_ALBUM = th.ObjectType(
    *link_fields(),
    th.Property("name", th.StringType),
    th.Property("album_type", th.StringType),
    th.Property("total_tracks", th.IntegerType),
    th.Property("available_markets", th.ArrayType(th.StringType)),
    th.Property("images", th.ArrayType(IMAGE)),
    th.Property("release_date", th.StringType),
    th.Property("release_date_precision", th.StringType),
    th.Property("restrictions", RESTRICTIONS),
    th.Property("artists", th.ArrayType(SIMPLE_ARTIST)),
    th.Property("is_playable", th.BooleanType),
)

EXTERNAL_IDS = th.ObjectType(
    th.Property("isrc", th.StringType),
    th.Property("ean", th.StringType),
    th.Property("upc", th.StringType),
)

#: A simplified track (an album's tracks), after its id.
SIMPLE_TRACK_FIELDS: list[th.Property] = [
    th.Property("name", th.StringType),
    th.Property("artists", th.ArrayType(SIMPLE_ARTIST)),
    th.Property("available_markets", th.ArrayType(th.StringType)),
    th.Property("disc_number", th.IntegerType),
    th.Property("track_number", th.IntegerType),
    th.Property("duration_ms", th.IntegerType),
    th.Property("explicit", th.BooleanType),
    th.Property("external_urls", EXTERNAL_URLS),
    th.Property("href", th.StringType),
    th.Property("is_playable", th.BooleanType),
    th.Property("is_local", th.BooleanType),
    th.Property("linked_from", LINKED_TRACK),
    th.Property("restrictions", RESTRICTIONS),
    th.Property("preview_url", th.StringType),
    th.Property("type", th.StringType),
    th.Property("uri", th.StringType),
]

TRACK_FIELDS: list[th.Property] = [
    th.Property("id", th.StringType),
    *SIMPLE_TRACK_FIELDS,
    th.Property("album", SIMPLE_ALBUM),
    th.Property("external_ids", EXTERNAL_IDS),
    th.Property("popularity", th.IntegerType),
    # Playlist items: an episode says so (`episode`), and 2026 answers flag tracks too.
    th.Property("episode", th.BooleanType),
    th.Property("track", th.BooleanType),
]

TRACK = th.ObjectType(*TRACK_FIELDS)
USER_REF = th.ObjectType(*link_fields(), th.Property("display_name", th.StringType))
