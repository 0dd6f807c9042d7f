-- Each listener's playlists <-> their entries at Spotify's positions: tracks, episodes,
-- local files, and entries Spotify sends without an item ('unavailable').
select
    listener_id,
    playlist_id,
    position,
    snapshot_id,
    item_type,
    item_id,
    item_name,
    added_at,
    added_by
from {{ ref('stg_spotify__playlist_items') }}
