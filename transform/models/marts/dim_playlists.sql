-- One row per playlist any listener has; a playlist two listeners share is one row.
with playlists as (
    select
        *,
        row_number() over (partition by playlist_id order by listener_id) as listener_rank
    from {{ ref('stg_spotify__playlists') }}
)

select playlist_id, playlist_name, owner_id, is_collaborative, is_public
from playlists
where listener_rank = 1
