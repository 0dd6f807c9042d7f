-- The top artists of each daily snapshot (run the tap daily to build the history).
select
    t.snapshot_date,
    t.time_range,
    t.item_rank as artist_rank,
    t.item_id as artist_id,
    t.item_name as artist_name
from {{ ref('stg_top_items') }} as t
where t.item_type = 'artist'
