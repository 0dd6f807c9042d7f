-- Both daily top-item snapshots, one row per (kind, time_range, snapshot_date, rank).
select
    'artist' as item_type,
    time_range,
    cast(snapshot_date as date) as snapshot_date,
    cast("rank" as integer) as item_rank,
    id as item_id,
    name as item_name,
    cast(null as varchar) as artist_id,
    name as artist_name
from {{ source('spotify', 'top_artists') }}
union all
select
    'track' as item_type,
    time_range,
    cast(snapshot_date as date) as snapshot_date,
    cast("rank" as integer) as item_rank,
    id as item_id,
    name as item_name,
    {{ js_text(js_at(js_array_col('artists'), 0), 'id') }} as artist_id,
    {{ js_text(js_at(js_array_col('artists'), 0), 'name') }} as artist_name
from {{ source('spotify', 'top_tracks') }}
