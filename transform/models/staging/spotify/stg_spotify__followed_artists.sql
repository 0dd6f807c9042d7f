with renamed as (
    select
        listener_id,
        id as artist_id,
        name as artist_name,
        cast(popularity as integer) as popularity
    from {{ source_or_empty('spotify', 'followed_artists') }}
)

select * from renamed
