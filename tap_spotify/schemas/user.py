"""Schemas of the user's own data, after the 2026 responses Spotify sends.

Spotify's objects are kept whole; the streams add only their keys (`played_at`,
`time_range` and `rank`, `playlist_id` and `position`...) at the top level.
Development Mode apps get fewer fields (`/me` has no `country`, `email`, `product`,
`followers`; artists no `popularity`, `followers`, `genres`): they are absent.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_spotify.schemas.listeners import LISTENER_ID
from tap_spotify.schemas.objects import (
    ARTIST_FIELDS,
    EXTERNAL_URLS,
    FOLLOWERS,
    IMAGE,
    SIMPLE_ALBUM,
    TRACK,
    TRACK_FIELDS,
    USER_REF,
    link_fields,
)

_context = th.ObjectType(
    th.Property("type", th.StringType),
    th.Property("href", th.StringType),
    th.Property("external_urls", EXTERNAL_URLS),
    th.Property("uri", th.StringType),
)
_snapshot = [
    th.Property("time_range", th.StringType, required=True,
                description="short_term (about 4 weeks), medium_term (6 months) or "
                            "long_term (about a year and more)"),
    th.Property("rank", th.IntegerType, required=True, description="1 is the top"),
    th.Property("snapshot_date", th.DateType, required=True,
                description="The day (UTC) this ranking was read"),
]

ME = th.PropertiesList(
    LISTENER_ID,
    th.Property("account_id", th.StringType,
                description="Spotify's identifier of the account (May 2026 on); "
                            "Spotify asks apps to tell accounts apart by it"),
    *link_fields(),
    th.Property("display_name", th.StringType),
    th.Property("country", th.StringType),
    th.Property("email", th.StringType),
    th.Property("product", th.StringType),
    th.Property("explicit_content", th.ObjectType(
        th.Property("filter_enabled", th.BooleanType),
        th.Property("filter_locked", th.BooleanType),
    )),
    th.Property("followers", FOLLOWERS),
    th.Property("images", th.ArrayType(IMAGE)),
).to_dict()

RECENTLY_PLAYED = th.PropertiesList(
    LISTENER_ID,
    th.Property("played_at", th.DateTimeType, required=True,
                description="When the play started (Spotify's date-time, UTC)"),
    th.Property("track", TRACK),
    th.Property("context", _context, description="The album, playlist or artist played "
                                                   "from, or null"),
).to_dict()

TOP_TRACK = th.PropertiesList(LISTENER_ID, *_snapshot, *TRACK_FIELDS).to_dict()
TOP_ARTIST = th.PropertiesList(LISTENER_ID, *_snapshot, *ARTIST_FIELDS).to_dict()

SAVED_TRACK = th.PropertiesList(
    LISTENER_ID,
    th.Property("track_id", th.StringType, required=True),
    th.Property("added_at", th.DateTimeType, required=True),
    th.Property("track", TRACK),
).to_dict()

SAVED_ALBUM = th.PropertiesList(
    LISTENER_ID,
    th.Property("album_id", th.StringType, required=True),
    th.Property("added_at", th.DateTimeType, required=True),
    th.Property("album", th.ObjectType(
        *SIMPLE_ALBUM.wrapped.values(),
        th.Property("copyrights", th.ArrayType(th.ObjectType(
            th.Property("text", th.StringType), th.Property("type", th.StringType)))),
        th.Property("external_ids", th.ObjectType(th.Property("upc", th.StringType))),
        th.Property("genres", th.ArrayType(th.StringType)),
        th.Property("label", th.StringType),
        th.Property("popularity", th.IntegerType),
        th.Property("tracks", th.ObjectType()),
    )),
).to_dict()

FOLLOWED_ARTIST = th.PropertiesList(LISTENER_ID, *ARTIST_FIELDS).to_dict()

_items_ref = th.ObjectType(th.Property("href", th.StringType),
                           th.Property("total", th.IntegerType))

PLAYLIST = th.PropertiesList(
    LISTENER_ID,
    *link_fields(),
    th.Property("name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("collaborative", th.BooleanType),
    th.Property("public", th.BooleanType),
    th.Property("owner", USER_REF),
    th.Property("images", th.ArrayType(IMAGE)),
    th.Property("primary_color", th.StringType),
    th.Property("snapshot_id", th.StringType,
                description="Changes whenever the playlist's items change"),
    th.Property("items", _items_ref, description="Where its items are, and how many "
                                                  "(Spotify's `tracks` before 2026)"),
).to_dict()

PLAYLIST_ITEM = th.PropertiesList(
    LISTENER_ID,
    th.Property("playlist_id", th.StringType, required=True),
    th.Property("position", th.IntegerType, required=True,
                description="0-based position in the playlist"),
    th.Property("snapshot_id", th.StringType,
                description="The playlist version this item was read from"),
    th.Property("added_at", th.DateTimeType),
    th.Property("added_by", USER_REF),
    th.Property("is_local", th.BooleanType),
    th.Property("primary_color", th.StringType),
    th.Property("video_thumbnail", th.ObjectType(th.Property("url", th.StringType))),
    th.Property("item", TRACK, description="The track or episode (Spotify's `track` "
                                           "before 2026)"),
).to_dict()
