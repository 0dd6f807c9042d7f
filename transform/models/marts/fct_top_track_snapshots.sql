-- Each listener's top tracks in each daily snapshot, with the track's main artist.
select
    listener_id,
    snapshot_date,
    time_range,
    track_rank,
    track_id,
    track_name,
    artist_id,
    artist_name
from {{ ref('stg_spotify__top_tracks') }}
