-- New releases per release day, album type and label (label: from the full album, null
-- where Spotify does not give it, e.g. in development mode). Month- or year-precision
-- dates count on their first day. The catalog belongs to no listener.
with new_releases as (
    select * from {{ ref('stg_spotify__new_releases') }}
),

albums as (
    select * from {{ ref('stg_spotify__albums') }}
)

select
    new_releases.release_date,
    new_releases.album_type,
    albums.label,
    count(*) as albums,
    sum(new_releases.total_tracks) as tracks
from new_releases
left join albums on albums.album_id = new_releases.album_id
group by new_releases.release_date, new_releases.album_type, albums.label
