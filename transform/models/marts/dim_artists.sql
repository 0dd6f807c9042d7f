-- One row per artist credited on a track or album, followed, or in a top list.
with named as (
    select artist_id, artist_name, 1 as priority from {{ ref('stg_followed_artists') }}
    union all
    select item_id, item_name, 2 from {{ ref('stg_top_items') }} where item_type = 'artist'
    union all
    select artist_id, artist_name, 3 from {{ ref('bridge_track_artists') }}
    union all
    select artist_id, artist_name, 4 from {{ ref('bridge_album_artists') }}
),
ranked as (
    select *, row_number() over (partition by artist_id order by priority, artist_name) as rn
    from named
    where artist_id is not null
)
select
    r.artist_id,
    r.artist_name,
    r.artist_id in (select artist_id from {{ ref('stg_followed_artists') }}) as is_followed
from ranked as r
where r.rn = 1
