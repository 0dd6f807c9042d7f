with renamed as (
    select
        id as track_id,
        album_id,
        name as track_name,
        cast(duration_ms as bigint) as duration_ms,
        cast(disc_number as integer) as disc_number,
        cast(track_number as integer) as track_number,
        explicit,
        cast({{ js_array_col('artists') }} as varchar) as artists_json
    from {{ source_or_empty('spotify', 'album_tracks') }}
)

select * from renamed
