-- Each listener's saved albums; a pre-saved album's added_at is its release date.
select listener_id, album_id, added_at
from {{ ref('stg_spotify__saved_albums') }}
