-- Every album object: full albums, new releases, saved albums, the albums tracks embed.
with objects as (
    select id as album_id, name as album_name, album_type, nullif(label, '') as label,
           cast(release_date_normalized as date) as release_date,
           cast(total_tracks as integer) as total_tracks,
           cast({{ js_array_col('artists') }} as varchar) as artists_json, 1 as priority
    from {{ source('spotify', 'albums') }}
    union all
    select id, name, album_type, null, cast(release_date_normalized as date),
           cast(total_tracks as integer), cast({{ js_array_col('artists') }} as varchar), 2
    from {{ source('spotify', 'new_releases') }}
    union all
    select {{ js_text('album', 'id') }}, {{ js_text('album', 'name') }},
           {{ js_text('album', 'album_type') }}, nullif({{ js_text('album', 'label') }}, ''),
           null, cast({{ js_text('album', 'total_tracks') }} as integer),
           cast({{ js('album') }} -> 'artists' as varchar), 3
    from {{ source('spotify', 'saved_albums') }}
    union all
    select {{ js_text('album_json', 'id') }}, {{ js_text('album_json', 'name') }},
           {{ js_text('album_json', 'album_type') }}, null, null,
           cast({{ js_text('album_json', 'total_tracks') }} as integer),
           cast({{ js('album_json') }} -> 'artists' as varchar), 4
    from {{ ref('stg_track_objects') }}
    where album_json is not null
)
select * from objects where album_id is not null
