-- agg_new_releases_daily counts every listed album once.
with listed as (
    select count(*) as albums from {{ ref('stg_spotify__new_releases') }}
),

counted as (
    select coalesce(sum(albums), 0) as albums from {{ ref('agg_new_releases_daily') }}
)

select * from listed, counted where listed.albums <> counted.albums
