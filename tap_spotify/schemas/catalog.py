"""Schemas of the catalog streams, after Spotify's OpenAPI description of its objects.

Every field but the keys is optional and nullable: Spotify omits fields by market and
by app tier (Development Mode apps lose `available_markets`, `label`, `popularity`,
`linked_from` and more since 2026); records keep Spotify's objects as sent, so such
fields are absent.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_spotify.schemas.objects import (
    EXTERNAL_IDS,
    EXTERNAL_URLS,
    IMAGE,
    RESTRICTIONS,
    SIMPLE_ARTIST,
    SIMPLE_TRACK_FIELDS,
)


def _album_fields() -> list[th.Property]:
    """The simplified album object's fields, plus our normalized release date."""
    return [
        th.Property("id", th.StringType, required=True),
        th.Property("name", th.StringType),
        th.Property("album_type", th.StringType,
                    description="album, single, compilation or ep"),
        th.Property("album_group", th.StringType),
        th.Property("total_tracks", th.IntegerType),
        th.Property("available_markets", th.ArrayType(th.StringType)),
        th.Property("external_urls", EXTERNAL_URLS),
        th.Property("href", th.StringType),
        th.Property("images", th.ArrayType(IMAGE)),
        th.Property("release_date", th.StringType,
                    description="As Spotify gives it: 2024, 2024-05 or 2024-05-17"),
        th.Property("release_date_precision", th.StringType, description="year, month or day"),
        th.Property("release_date_normalized", th.DateType,
                    description="release_date as a full date (2024 -> 2024-01-01); "
                                "null when Spotify's date is unusable (0000)"),
        th.Property("restrictions", RESTRICTIONS),
        th.Property("type", th.StringType),
        th.Property("uri", th.StringType),
        th.Property("artists", th.ArrayType(SIMPLE_ARTIST)),
        th.Property("is_playable", th.BooleanType),
    ]


NEW_RELEASE = th.PropertiesList(*_album_fields()).to_dict()

ALBUM = th.PropertiesList(
    *_album_fields(),
    th.Property("copyrights", th.ArrayType(th.ObjectType(
        th.Property("text", th.StringType),
        th.Property("type", th.StringType),
    ))),
    th.Property("external_ids", EXTERNAL_IDS),
    th.Property("genres", th.ArrayType(th.StringType)),
    th.Property("label", th.StringType),
    th.Property("popularity", th.IntegerType),
).to_dict()

ALBUM_TRACK = th.PropertiesList(
    th.Property("id", th.StringType, required=True),
    th.Property("album_id", th.StringType, required=True,
                description="The id of the album this track was read from"),
    *SIMPLE_TRACK_FIELDS,
).to_dict()
