-- The artists each listener follows.
select listener_id, artist_id
from {{ ref('stg_spotify__followed_artists') }}
