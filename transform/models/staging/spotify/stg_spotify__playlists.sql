-- Playlists each listener owns, collaborates on or follows (a shared one, once per listener).
with renamed as (
    select
        listener_id,
        id as playlist_id,
        name as playlist_name,
        {{ js_text('owner', 'id') }} as owner_id,
        collaborative as is_collaborative,
        public as is_public,
        snapshot_id,
        cast({{ js_text('items', 'total') }} as integer) as total_items
    from {{ source_or_empty('spotify', 'playlists') }}
)

select * from renamed
