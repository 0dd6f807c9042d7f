-- One row per album: full album data first, then new releases, saved albums, and the
-- simplified albums tracks embed. label is null where Spotify does not give it.
with album_objects as (
    select
        *,
        row_number() over (partition by album_id order by priority, album_name) as object_rank
    from {{ ref('int_album_objects_unioned') }}
)

select
    album_id,
    album_name,
    album_type,
    label,
    release_date,
    total_tracks,
    {{ js_text(js_at('artists_json', 0), 'id') }} as artist_id,
    {{ js_text(js_at('artists_json', 0), 'name') }} as artist_name
from album_objects
where object_rank = 1
