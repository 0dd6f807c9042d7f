-- One row per track: every track the streams carry (catalog data first), and tracks
-- known only from the downloaded history (names from the file, no album or artist ids).
with ranked as (
    select *, row_number() over (partition by track_id order by priority) as rn
    from {{ ref('stg_track_objects') }}
),
api as (
    select track_id, track_name, duration_ms, explicit, album_id, artists_json
    from ranked where rn = 1
),
history_only as (
    select track_id, max(title) as track_name, max(creator) as artist_name,
           max(album_name) as album_name
    from {{ ref('stg_streaming_history') }}
    where track_id is not null and track_id not in (select track_id from api)
    group by track_id
)
select
    a.track_id,
    a.track_name,
    a.duration_ms,
    a.explicit,
    a.album_id,
    al.album_name,
    {{ js_text(js_at('a.artists_json', 0), 'id') }} as artist_id,
    {{ js_text(js_at('a.artists_json', 0), 'name') }} as artist_name,
    'api' as known_from
from api as a
left join {{ ref('dim_albums') }} as al on al.album_id = a.album_id
union all
select track_id, track_name, null, null, null, album_name, null, artist_name, 'history'
from history_only
