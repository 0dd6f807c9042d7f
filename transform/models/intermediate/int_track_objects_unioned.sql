-- Every track object the streams carry, from every source that embeds one; `priority`
-- ranks the sources (full catalog data first) for the marts to keep one per track.
with album_tracks as (
    select track_id, track_name, duration_ms, explicit, album_id,
           cast(null as varchar) as album_json, artists_json, 1 as priority
    from {{ ref('stg_spotify__album_tracks') }}
),

top_tracks as (
    select track_id, track_name, duration_ms, explicit, album_id, album_json, artists_json,
           2 as priority
    from {{ ref('stg_spotify__top_tracks') }}
),

saved_tracks as (
    select track_id, track_name, duration_ms, explicit, album_id, album_json, artists_json,
           3 as priority
    from {{ ref('stg_spotify__saved_tracks') }}
),

recently_played as (
    select track_id, track_name, duration_ms, explicit, album_id, album_json, artists_json,
           4 as priority
    from {{ ref('stg_spotify__recently_played') }}
),

playlist_tracks as (
    select item_id as track_id, item_name as track_name, duration_ms, explicit, album_id,
           album_json, artists_json, 5 as priority
    from {{ ref('stg_spotify__playlist_items') }}
    where item_type = 'track'
),

unioned as (
    select * from album_tracks
    union all select * from top_tracks
    union all select * from saved_tracks
    union all select * from recently_played
    union all select * from playlist_tracks
)

select * from unioned
where track_id is not null
