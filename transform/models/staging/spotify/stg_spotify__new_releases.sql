-- Albums listed as new releases; month- or year-precision dates on their first day.
with renamed as (
    select
        id as album_id,
        name as album_name,
        album_type,
        cast(release_date_normalized as date) as release_date,
        release_date_precision,
        cast(total_tracks as integer) as total_tracks,
        cast({{ js_array_col('artists') }} as varchar) as artists_json
    from {{ source_or_empty('spotify', 'new_releases') }}
)

select * from renamed
