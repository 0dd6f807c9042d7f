-- Every album object: full albums, new releases, saved albums, and the simplified albums
-- track objects embed; `priority` ranks them (full album data first).
with full_albums as (
    select album_id, album_name, album_type, label, release_date, total_tracks,
           artists_json, 1 as priority
    from {{ ref('stg_spotify__albums') }}
),

new_releases as (
    select album_id, album_name, album_type, cast(null as varchar) as label, release_date,
           total_tracks, artists_json, 2 as priority
    from {{ ref('stg_spotify__new_releases') }}
),

saved_albums as (
    select album_id, album_name, album_type, label, cast(null as date) as release_date,
           total_tracks, artists_json, 3 as priority
    from {{ ref('stg_spotify__saved_albums') }}
),

albums_of_tracks as (
    select
        {{ js_text('album_json', 'id') }} as album_id,
        {{ js_text('album_json', 'name') }} as album_name,
        {{ js_text('album_json', 'album_type') }} as album_type,
        cast(null as varchar) as label,
        cast(null as date) as release_date,
        cast({{ js_text('album_json', 'total_tracks') }} as integer) as total_tracks,
        cast({{ js('album_json') }} -> 'artists' as varchar) as artists_json,
        4 as priority
    from {{ ref('int_track_objects_unioned') }}
    where album_json is not null
),

unioned as (
    select * from full_albums
    union all select * from new_releases
    union all select * from saved_albums
    union all select * from albums_of_tracks
)

select * from unioned
where album_id is not null
