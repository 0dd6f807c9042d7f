with renamed as (
    select
        listener_id,
        id as user_id,
        account_id,
        display_name,
        country,
        product
    from {{ source_or_empty('spotify', 'me') }}
)

select * from renamed
