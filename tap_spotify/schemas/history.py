"""JSON schemas of the downloadable listening history (Spotify's privacy export).

Every field Spotify has exported is declared, old names and new: a record holds the
fields of its own file and no others. Only the keys are required.
"""

from __future__ import annotations

from singer_sdk import typing as th

_PLAY_ID = th.Property(
    "play_id", th.StringType, required=True,
    description="Deterministic key of the play: md5 hex of 'ts|ms_played|uri|n' (extended) "
                "or 'ts|msPlayed|artist|track|n' (account data), n counting identical plays "
                "that stopped in the same second from 0.",
)

STREAMING_HISTORY = th.PropertiesList(
    _PLAY_ID,
    th.Property("ts", th.DateTimeType, required=True,
                description="UTC time the play stopped, to the second."),
    th.Property("platform", th.StringType),
    th.Property("ms_played", th.IntegerType),
    th.Property("conn_country", th.StringType),
    th.Property("ip_addr", th.StringType),
    th.Property("ip_addr_decrypted", th.StringType,
                description="ip_addr in older exports (endsong_*.json)"),
    th.Property("username", th.StringType, description="Older exports only (endsong_*.json)"),
    th.Property("user_agent_decrypted", th.StringType,
                description="Older exports only (endsong_*.json)"),
    th.Property("master_metadata_track_name", th.StringType),
    th.Property("master_metadata_album_artist_name", th.StringType),
    th.Property("master_metadata_album_album_name", th.StringType),
    th.Property("spotify_track_uri", th.StringType),
    th.Property("episode_name", th.StringType),
    th.Property("episode_show_name", th.StringType),
    th.Property("spotify_episode_uri", th.StringType),
    th.Property("audiobook_title", th.StringType),
    th.Property("audiobook_uri", th.StringType),
    th.Property("audiobook_chapter_uri", th.StringType),
    th.Property("audiobook_chapter_title", th.StringType),
    th.Property("reason_start", th.StringType),
    th.Property("reason_end", th.StringType),
    th.Property("shuffle", th.BooleanType),
    th.Property("skipped", th.BooleanType),
    th.Property("offline", th.BooleanType),
    th.Property("offline_timestamp", th.IntegerType),
    th.Property("incognito_mode", th.BooleanType),
).to_dict()

STREAMING_HISTORY_ACCOUNT = th.PropertiesList(
    _PLAY_ID,
    th.Property("ts", th.DateTimeType, required=True,
                description="endTime as a UTC date-time (seconds are always 00)."),
    th.Property("endTime", th.StringType,
                description="As exported: UTC time the play stopped, 'YYYY-MM-DD HH:MM'."),
    th.Property("artistName", th.StringType),
    th.Property("trackName", th.StringType),
    th.Property("podcastName", th.StringType),
    th.Property("episodeName", th.StringType),
    th.Property("msPlayed", th.IntegerType),
).to_dict()
