-- Each listener's daily top-track snapshots, one row per (time_range, snapshot_date, rank).
with renamed as (
    select
        listener_id,
        time_range,
        cast(snapshot_date as date) as snapshot_date,
        cast("rank" as integer) as track_rank,
        id as track_id,
        name as track_name,
        cast(duration_ms as bigint) as duration_ms,
        explicit,
        {{ js_text('album', 'id') }} as album_id,
        cast({{ js('album') }} as varchar) as album_json,
        cast({{ js_array_col('artists') }} as varchar) as artists_json,
        {{ js_text(js_at(js_array_col('artists'), 0), 'id') }} as artist_id,
        {{ js_text(js_at(js_array_col('artists'), 0), 'name') }} as artist_name
    from {{ source_or_empty('spotify', 'top_tracks') }}
)

select * from renamed
