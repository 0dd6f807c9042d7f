-- One row per track: every track the streams carry (catalog data first), and tracks
-- known only from a downloaded history (names from the file, no album or artist ids).
with track_objects as (
    select
        *,
        row_number() over (partition by track_id order by priority, track_name) as object_rank
    from {{ ref('int_track_objects_unioned') }}
),

api_tracks as (
    select track_id, track_name, duration_ms, explicit, album_id, artists_json
    from track_objects
    where object_rank = 1
),

history_only_tracks as (
    select
        track_id,
        max(title) as track_name,
        max(creator) as artist_name,
        max(album_name) as album_name
    from {{ ref('stg_spotify__streaming_history') }}
    where track_id is not null
      and track_id not in (select track_id from api_tracks)
    group by track_id
),

albums as (
    select * from {{ ref('dim_albums') }}
)

select
    t.track_id,
    t.track_name,
    t.duration_ms,
    t.explicit,
    t.album_id,
    albums.album_name,
    {{ js_text(js_at('t.artists_json', 0), 'id') }} as artist_id,
    {{ js_text(js_at('t.artists_json', 0), 'name') }} as artist_name,
    'api' as known_from
from api_tracks as t
left join albums on albums.album_id = t.album_id

union all

select
    track_id,
    track_name,
    cast(null as bigint) as duration_ms,
    cast(null as boolean) as explicit,
    cast(null as varchar) as album_id,
    album_name,
    cast(null as varchar) as artist_id,
    artist_name,
    'history' as known_from
from history_only_tracks
