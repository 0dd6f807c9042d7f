-- Each listener's last plays from the API: played_at and the track object unpacked.
with renamed as (
    select
        listener_id,
        cast(played_at as timestamp) as played_at,
        {{ js_text('track', 'id') }} as track_id,
        {{ js_text('track', 'name') }} as track_name,
        cast({{ js_text('track', 'duration_ms') }} as bigint) as duration_ms,
        cast({{ js_text('track', 'explicit') }} as boolean) as explicit,
        {{ js_text(js('track') ~ "->'album'", 'id') }} as album_id,
        cast({{ js('track') }} -> 'album' as varchar) as album_json,
        cast({{ js('track') }} -> 'artists' as varchar) as artists_json,
        {{ js_text('context', 'type') }} as context_type,
        {{ js_text('context', 'uri') }} as context_uri
    from {{ source_or_empty('spotify', 'recently_played') }}
)

select * from renamed
