-- Full albums; label and popularity are null when the development tier strips them.
with renamed as (
    select
        id as album_id,
        name as album_name,
        album_type,
        nullif(label, '') as label,
        cast(popularity as integer) as popularity,
        cast(release_date_normalized as date) as release_date,
        release_date_precision,
        cast(total_tracks as integer) as total_tracks,
        {{ js_text('external_ids', 'upc') }} as upc,
        cast({{ js_array_col('artists') }} as varchar) as artists_json
    from {{ source_or_empty('spotify', 'albums') }}
)

select * from renamed
