-- agg_listening_daily and agg_listening_weekday_hour add up to fct_plays, per listener
-- (minutes to rounding).
with plays as (
    select listener_id, count(*) as plays, sum(ms_played) / 60000.0 as minutes
    from {{ ref('fct_plays') }}
    group by listener_id
),

daily as (
    select listener_id, sum(plays) as plays, sum(minutes) as minutes
    from {{ ref('agg_listening_daily') }}
    group by listener_id
),

grid as (
    select listener_id, sum(plays) as plays, sum(minutes) as minutes
    from {{ ref('agg_listening_weekday_hour') }}
    group by listener_id
)

select plays.*
from plays
left join daily on daily.listener_id = plays.listener_id
left join grid on grid.listener_id = plays.listener_id
where daily.plays is null or grid.plays is null
   or plays.plays <> daily.plays or plays.plays <> grid.plays
   or abs(plays.minutes - daily.minutes) > 0.01 or abs(plays.minutes - grid.minutes) > 0.01
