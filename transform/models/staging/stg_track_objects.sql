-- Every track object the tap sends, from every stream that embeds one; `priority`
-- ranks the sources (full catalog data first) for dim_tracks to keep one per track.
with objects as (
    select id as track_id, name as track_name, cast(duration_ms as bigint) as duration_ms,
           explicit, album_id, cast(null as varchar) as album_json,
           cast({{ js_array_col('artists') }} as varchar) as artists_json, 1 as priority
    from {{ source('spotify', 'album_tracks') }}
    union all
    select id, name, cast(duration_ms as bigint), explicit, {{ js_text('album', 'id') }},
           cast(album as varchar), cast({{ js_array_col('artists') }} as varchar), 2
    from {{ source('spotify', 'top_tracks') }}
    union all
    select {{ js_text('track', 'id') }}, {{ js_text('track', 'name') }},
           cast({{ js_text('track', 'duration_ms') }} as bigint),
           cast({{ js_text('track', 'explicit') }} as boolean),
           {{ js_text(js('track') ~ "->'album'", 'id') }},
           cast({{ js('track') }} -> 'album' as varchar),
           cast({{ js('track') }} -> 'artists' as varchar), 3
    from {{ source('spotify', 'saved_tracks') }}
    union all
    select {{ js_text('track', 'id') }}, {{ js_text('track', 'name') }},
           cast({{ js_text('track', 'duration_ms') }} as bigint),
           cast({{ js_text('track', 'explicit') }} as boolean),
           {{ js_text(js('track') ~ "->'album'", 'id') }},
           cast({{ js('track') }} -> 'album' as varchar),
           cast({{ js('track') }} -> 'artists' as varchar), 4
    from {{ source('spotify', 'recently_played') }}
    union all
    select {{ js_text('item', 'id') }}, {{ js_text('item', 'name') }},
           cast({{ js_text('item', 'duration_ms') }} as bigint),
           cast({{ js_text('item', 'explicit') }} as boolean),
           {{ js_text(js('item') ~ "->'album'", 'id') }},
           cast({{ js('item') }} -> 'album' as varchar),
           cast({{ js('item') }} -> 'artists' as varchar), 5
    from {{ source('spotify', 'playlist_items') }}
    where {{ js_text('item', 'type') }} = 'track' and not coalesce(is_local, false)
)
select * from objects where track_id is not null
