-- Each listener's saved tracks (added_at is when, never an order: see the README).
select listener_id, track_id, added_at
from {{ ref('stg_spotify__saved_tracks') }}
