select
    id as album_id,
    name as album_name,
    album_type,
    cast(release_date_normalized as date) as release_date,
    release_date_precision,
    cast(total_tracks as integer) as total_tracks
from {{ source('spotify', 'new_releases') }}
