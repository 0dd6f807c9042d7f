-- Each listener's top artists in each daily snapshot (run the tap daily for a history).
select
    listener_id,
    snapshot_date,
    time_range,
    artist_rank,
    artist_id,
    artist_name
from {{ ref('stg_spotify__top_artists') }}
