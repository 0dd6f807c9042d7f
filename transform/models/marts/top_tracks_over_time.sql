-- The top tracks of each daily snapshot, with their main artist.
select
    t.snapshot_date,
    t.time_range,
    t.item_rank as track_rank,
    t.item_id as track_id,
    t.item_name as track_name,
    t.artist_id,
    t.artist_name
from {{ ref('stg_top_items') }} as t
where t.item_type = 'track'
