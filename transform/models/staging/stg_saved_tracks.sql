select track_id, cast(added_at as timestamp) as added_at
from {{ source('spotify', 'saved_tracks') }}
