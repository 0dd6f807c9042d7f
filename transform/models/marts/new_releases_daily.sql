-- New releases per release day, album type and label (label: from the full album,
-- null where Spotify does not give it, e.g. in development mode). Month- or
-- year-precision dates count on their first day (release_date_normalized).
select
    n.release_date,
    n.album_type,
    a.label,
    count(*) as albums,
    sum(n.total_tracks) as tracks
from {{ ref('stg_new_releases') }} as n
left join {{ ref('stg_albums') }} as a on a.album_id = n.album_id
group by n.release_date, n.album_type, a.label
