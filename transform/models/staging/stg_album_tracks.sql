select
    id as track_id,
    album_id,
    name as track_name,
    cast(duration_ms as bigint) as duration_ms,
    cast(disc_number as integer) as disc_number,
    cast(track_number as integer) as track_number,
    explicit
from {{ source('spotify', 'album_tracks') }}
