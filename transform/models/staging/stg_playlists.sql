select
    id as playlist_id,
    name as playlist_name,
    {{ js_text('owner', 'id') }} as owner_id,
    collaborative,
    public as is_public,
    snapshot_id,
    cast({{ js_text('items', 'total') }} as integer) as total_items
from {{ source('spotify', 'playlists') }}
