-- Playlist entries at Spotify's positions: tracks, episodes, local files, and entries
-- Spotify sends without an item (item_type 'unavailable').
with renamed as (
    select
        listener_id,
        playlist_id,
        cast("position" as integer) as position,
        snapshot_id,
        cast(added_at as timestamp) as added_at,
        {{ js_text('added_by', 'id') }} as added_by,
        coalesce(is_local, false) as is_local,
        case
            when coalesce(is_local, false) then 'local'
            else coalesce({{ js_text('item', 'type') }}, 'unavailable')
        end as item_type,
        {{ js_text('item', 'id') }} as item_id,
        {{ js_text('item', 'name') }} as item_name,
        cast({{ js_text('item', 'duration_ms') }} as bigint) as duration_ms,
        cast({{ js_text('item', 'explicit') }} as boolean) as explicit,
        {{ js_text(js('item') ~ "->'album'", 'id') }} as album_id,
        cast({{ js('item') }} -> 'album' as varchar) as album_json,
        cast({{ js('item') }} -> 'artists' as varchar) as artists_json
    from {{ source_or_empty('spotify', 'playlist_items') }}
)

select * from renamed
