-- One row per album: full album data first, then new releases, saved albums, and the
-- simplified albums tracks embed. label is null where Spotify does not give it.
with ranked as (
    select *, row_number() over (partition by album_id order by priority) as rn
    from {{ ref('stg_album_objects') }}
)
select
    r.album_id,
    r.album_name,
    r.album_type,
    r.label,
    r.release_date,
    r.total_tracks,
    {{ js_text(js_at('r.artists_json', 0), 'id') }} as artist_id,
    {{ js_text(js_at('r.artists_json', 0), 'name') }} as artist_name,
    r.album_id in (select album_id from {{ ref('stg_saved_albums') }}) as is_saved
from ranked as r
where r.rn = 1
