-- One row per artist credited on a track or album, followed, or in a top list.
with named as (
    select artist_id, artist_name, 1 as priority
    from {{ ref('stg_spotify__followed_artists') }}
    union all
    select artist_id, artist_name, 2 from {{ ref('stg_spotify__top_artists') }}
    union all
    select artist_id, artist_name, 3 from {{ ref('bridge_track_artists') }}
    union all
    select artist_id, artist_name, 4 from {{ ref('bridge_album_artists') }}
),

ranked as (
    select
        *,
        row_number() over (partition by artist_id order by priority, artist_name) as name_rank
    from named
    where artist_id is not null
)

select artist_id, artist_name
from ranked
where name_rank = 1
