select id as artist_id, name as artist_name, cast(popularity as integer) as popularity
from {{ source('spotify', 'followed_artists') }}
