-- Each listener's saved albums. A pre-saved album's added_at is its (future) release date.
with renamed as (
    select
        listener_id,
        album_id,
        cast(added_at as timestamp) as added_at,
        {{ js_text('album', 'name') }} as album_name,
        {{ js_text('album', 'album_type') }} as album_type,
        nullif({{ js_text('album', 'label') }}, '') as label,
        cast({{ js_text('album', 'total_tracks') }} as integer) as total_tracks,
        cast({{ js('album') }} -> 'artists' as varchar) as artists_json
    from {{ source_or_empty('spotify', 'saved_albums') }}
)

select * from renamed
