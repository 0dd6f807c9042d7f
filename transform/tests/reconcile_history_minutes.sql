-- fct_plays holds every play of each listener's downloaded history, with its ms_played:
-- the same count and total per listener as the source table.
with downloaded as (
    select listener_id, count(*) as plays, coalesce(sum(ms_played), 0) as ms
    from {{ ref('stg_spotify__streaming_history') }}
    group by listener_id
),

in_mart as (
    select listener_id, count(*) as plays, coalesce(sum(ms_played), 0) as ms
    from {{ ref('fct_plays') }}
    where source = 'history'
    group by listener_id
)

select *
from downloaded
full outer join in_mart using (listener_id)
where coalesce(downloaded.plays, 0) <> coalesce(in_mart.plays, 0)
   or coalesce(downloaded.ms, 0) <> coalesce(in_mart.ms, 0)
