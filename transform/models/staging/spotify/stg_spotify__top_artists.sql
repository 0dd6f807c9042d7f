-- Each listener's daily top-artist snapshots, one row per (time_range, snapshot_date, rank).
with renamed as (
    select
        listener_id,
        time_range,
        cast(snapshot_date as date) as snapshot_date,
        cast("rank" as integer) as artist_rank,
        id as artist_id,
        name as artist_name,
        cast(popularity as integer) as popularity
    from {{ source_or_empty('spotify', 'top_artists') }}
)

select * from renamed
