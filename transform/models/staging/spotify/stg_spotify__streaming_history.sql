-- The extended streaming history: ts is when the play stopped (UTC, to the second).
with renamed as (
    select
        listener_id,
        play_id,
        cast(ts as timestamp) as ended_at,
        cast(ts as timestamp) - cast(ms_played as bigint) * interval '1 millisecond'
            as started_at,
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
        coalesce(master_metadata_album_artist_name, episode_show_name, audiobook_title)
            as creator,
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
    from {{ source_or_empty('spotify', 'streaming_history') }}
)

select * from renamed
