-- One row per listener whose data the tap read (their latest run), with their time zone.
with renamed as (
    select
        listener_id,
        account_id,
        user_id,
        display_name,
        nullif(time_zone, '') as time_zone,
        cast(authorized_on as date) as authorized_on,
        cast(authorization_ends_on as date) as authorization_ends_on,
        cast(synced_on as date) as synced_on
    from {{ source_or_empty('spotify', 'listeners') }}
)

select * from renamed
