-- The extended streaming history: ts is when the play stopped (UTC, to the second).
{% set columns = {"play_id": "varchar", "ts": "timestamp", "ms_played": "bigint",
    "platform": "varchar", "conn_country": "varchar",
    "master_metadata_track_name": "varchar", "master_metadata_album_artist_name": "varchar",
    "master_metadata_album_album_name": "varchar", "spotify_track_uri": "varchar",
    "episode_name": "varchar", "episode_show_name": "varchar", "spotify_episode_uri": "varchar",
    "audiobook_title": "varchar", "audiobook_chapter_uri": "varchar",
    "audiobook_chapter_title": "varchar", "reason_start": "varchar", "reason_end": "varchar",
    "shuffle": "boolean", "skipped": "boolean", "offline": "boolean",
    "incognito_mode": "boolean"} %}
select
    play_id,
    cast(ts as timestamp) as ended_at,
    cast(ts as timestamp) - cast(ms_played as bigint) * interval '1 millisecond' as started_at,
    cast(ms_played as bigint) as ms_played,
    case
        when spotify_track_uri is not null then 'track'
        when audiobook_chapter_uri is not null then 'audiobook'
        when spotify_episode_uri is not null then 'episode'
        else 'local'
    end as content_type,
    spotify_track_uri as track_uri,
    case when spotify_track_uri like 'spotify:track:%'
         then substr(spotify_track_uri, 15) end as track_id,
    coalesce(master_metadata_track_name, episode_name, audiobook_chapter_title) as title,
    coalesce(master_metadata_album_artist_name, episode_show_name, audiobook_title) as creator,
    master_metadata_album_album_name as album_name,
    coalesce(spotify_episode_uri, audiobook_chapter_uri) as episode_uri,
    platform,
    conn_country,
    reason_start,
    reason_end,
    shuffle,
    skipped,
    offline,
    coalesce(incognito_mode, false) as incognito_mode
from {{ source_or_empty('spotify', 'streaming_history', columns) }}
