-- Artists two listeners share in their latest top lists (any time range): one row per
-- pair of listeners (listener_id < other_listener_id) and artist, with each one's best
-- rank in that snapshot; pair_rank 1 is the artist both rank highest (sum of ranks).
with snapshots as (
    select * from {{ ref('fct_top_artist_snapshots') }}
),

latest_snapshots as (
    select listener_id, max(snapshot_date) as snapshot_date
    from snapshots
    group by listener_id
),

best_ranks as (
    select
        snapshots.listener_id,
        snapshots.artist_id,
        min(snapshots.artist_name) as artist_name,
        min(snapshots.artist_rank) as best_rank
    from snapshots
    join latest_snapshots
      on latest_snapshots.listener_id = snapshots.listener_id
     and latest_snapshots.snapshot_date = snapshots.snapshot_date
    group by snapshots.listener_id, snapshots.artist_id
),

shared as (
    select
        mine.listener_id,
        theirs.listener_id as other_listener_id,
        mine.artist_id,
        mine.artist_name,
        mine.best_rank,
        theirs.best_rank as other_best_rank
    from best_ranks as mine
    join best_ranks as theirs
      on theirs.artist_id = mine.artist_id
     and mine.listener_id < theirs.listener_id
)

select
    *,
    row_number() over (
        partition by listener_id, other_listener_id
        order by best_rank + other_best_rank, artist_name, artist_id
    ) as pair_rank
from shared
