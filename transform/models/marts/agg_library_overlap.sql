-- How much two listeners' libraries overlap: one row per pair of listeners
-- (listener_id < other_listener_id) and library (saved_tracks, saved_albums,
-- followed_artists), with each one's size, the items both have, and the Jaccard index.
with library_items as (
    select listener_id, 'saved_tracks' as library, track_id as item_id
    from {{ ref('bridge_listener_saved_tracks') }}
    union all
    select listener_id, 'saved_albums', album_id
    from {{ ref('bridge_listener_saved_albums') }}
    union all
    select listener_id, 'followed_artists', artist_id
    from {{ ref('bridge_listener_followed_artists') }}
),

library_sizes as (
    select listener_id, library, count(*) as items
    from library_items
    group by listener_id, library
),

shared_items as (
    select mine.listener_id, theirs.listener_id as other_listener_id, mine.library,
           count(*) as shared_items
    from library_items as mine
    join library_items as theirs
      on theirs.library = mine.library
     and theirs.item_id = mine.item_id
     and mine.listener_id < theirs.listener_id
    group by mine.listener_id, theirs.listener_id, mine.library
),

listener_pairs as (
    select mine.listener_id, theirs.listener_id as other_listener_id, libraries.library
    from {{ ref('dim_listeners') }} as mine
    join {{ ref('dim_listeners') }} as theirs on mine.listener_id < theirs.listener_id
    cross join (
        select 'saved_tracks' as library
        union all select 'saved_albums'
        union all select 'followed_artists'
    ) as libraries
),

overlap as (
    select
        pairs.listener_id,
        pairs.other_listener_id,
        pairs.library,
        coalesce(mine.items, 0) as items,
        coalesce(theirs.items, 0) as other_items,
        coalesce(shared.shared_items, 0) as shared_items
    from listener_pairs as pairs
    left join library_sizes as mine
      on mine.listener_id = pairs.listener_id and mine.library = pairs.library
    left join library_sizes as theirs
      on theirs.listener_id = pairs.other_listener_id and theirs.library = pairs.library
    left join shared_items as shared
      on shared.listener_id = pairs.listener_id
     and shared.other_listener_id = pairs.other_listener_id
     and shared.library = pairs.library
)

select
    *,
    round(cast(shared_items as numeric)
          / nullif(items + other_items - shared_items, 0), 4) as jaccard
from overlap
