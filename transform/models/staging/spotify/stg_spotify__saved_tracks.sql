-- Each listener's saved tracks. added_at says when, not in which order they were saved.
with renamed as (
    select
        listener_id,
        track_id,
        cast(added_at as timestamp) as added_at,
        {{ js_text('track', 'name') }} as track_name,
        cast({{ js_text('track', 'duration_ms') }} as bigint) as duration_ms,
        cast({{ js_text('track', 'explicit') }} as boolean) as explicit,
        {{ js_text(js('track') ~ "->'album'", 'id') }} as album_id,
        cast({{ js('track') }} -> 'album' as varchar) as album_json,
        cast({{ js('track') }} -> 'artists' as varchar) as artists_json
    from {{ source_or_empty('spotify', 'saved_tracks') }}
)

select * from renamed
