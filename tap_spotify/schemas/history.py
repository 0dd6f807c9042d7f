"""JSON schemas of the downloadable listening history (Spotify's privacy export).

Every field Spotify has exported is declared, old names and new: a record holds the
fields of its own file and no others. Only the key and `ts` are required. Where each
file kind and field was seen: tap_spotify/streams/history/export.py.
"""

from __future__ import annotations

from singer_sdk import typing as th

_LISTENER_ID = th.Property(
    "listener_id", th.StringType, required=True,
    description="Whose plays these are: the listener_id setting, else the Spotify account "
                "the tap signs in to, else the download's own username, else 'default'.",
)
_PLAY_ID = th.Property(
    "play_id", th.StringType, required=True,
    description="Deterministic id of the play within its listener's history: md5 hex of "
                "'ts|ms_played|uris|n' (extended; uris: every distinct track, episode or "
                "chapter URI of the play) or 'ts|msPlayed|creator|name|n' (account data), n "
                "counting identical plays that stopped in the same second from 0.",
)

#: Fields the tap adds to every record; no file holds them.
ADDED_FIELDS = frozenset({"listener_id", "play_id"})

STREAMING_HISTORY = th.PropertiesList(
    _LISTENER_ID,
    _PLAY_ID,
    th.Property("ts", th.DateTimeType, required=True,
                description="UTC time the play stopped, to the second."),
    th.Property("platform", th.StringType),
    th.Property("ms_played", th.IntegerType),
    th.Property("conn_country", th.StringType),
    th.Property("ip_addr", th.StringType),
    th.Property("ip_addr_decrypted", th.StringType,
                description="ip_addr in older exports (endsong_*.json, until 2024)"),
    th.Property("username", th.StringType,
                description="The Spotify username; older exports only (until 2024)"),
    th.Property("user_agent_decrypted", th.StringType,
                description="Older exports only (endsong_*.json, until 2024)"),
    th.Property("master_metadata_track_name", th.StringType),
    th.Property("master_metadata_album_artist_name", th.StringType),
    th.Property("master_metadata_album_album_name", th.StringType),
    th.Property("spotify_track_uri", th.StringType),
    th.Property("episode_name", th.StringType),
    th.Property("episode_show_name", th.StringType),
    th.Property("spotify_episode_uri", th.StringType),
    th.Property("audiobook_title", th.StringType, description="Exports since 2024"),
    th.Property("audiobook_uri", th.StringType, description="Exports since 2024"),
    th.Property("audiobook_chapter_uri", th.StringType, description="Exports since 2024"),
    th.Property("audiobook_chapter_title", th.StringType, description="Exports since 2024"),
    th.Property("reason_start", th.StringType),
    th.Property("reason_end", th.StringType),
    th.Property("shuffle", th.BooleanType),
    th.Property("skipped", th.BooleanType),
    th.Property("offline", th.BooleanType),
    th.Property("offline_timestamp", th.IntegerType,
                description="Unix time, in seconds or milliseconds depending on the era"),
    th.Property("incognito_mode", th.BooleanType),
).to_dict()

STREAMING_HISTORY_ACCOUNT = th.PropertiesList(
    _LISTENER_ID,
    _PLAY_ID,
    th.Property("ts", th.DateTimeType, required=True,
                description="endTime as a UTC date-time (seconds are always 00)."),
    th.Property("endTime", th.StringType,
                description="As exported: UTC time the play stopped, 'YYYY-MM-DD HH:MM'."),
    th.Property("artistName", th.StringType, description="Music (and older podcast) plays"),
    th.Property("trackName", th.StringType, description="Music (and older podcast) plays"),
    th.Property("podcastName", th.StringType, description="StreamingHistory_podcast_*.json"),
    th.Property("episodeName", th.StringType, description="StreamingHistory_podcast_*.json"),
    th.Property("audiobookName", th.StringType,
                description="StreamingHistory_audiobook_*.json"),
    th.Property("chapterName", th.StringType, description="StreamingHistory_audiobook_*.json"),
    th.Property("authorName", th.StringType, description="StreamingHistory_audiobook_*.json"),
    th.Property("msPlayed", th.IntegerType),
).to_dict()
