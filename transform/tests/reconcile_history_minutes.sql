-- fct_plays holds every play of the downloaded history, with its ms_played: the same
-- count and total as the source table.
with src as (
    select count(*) as plays, coalesce(sum(cast(ms_played as bigint)), 0) as ms
    from {{ ref('stg_streaming_history') }}
),
mart as (
    select count(*) as plays, coalesce(sum(ms_played), 0) as ms
    from {{ ref('fct_plays') }} where source = 'history'
)
select * from src, mart where src.plays <> mart.plays or src.ms <> mart.ms
