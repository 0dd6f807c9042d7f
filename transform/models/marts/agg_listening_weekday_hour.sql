-- Listening per listener, ISO weekday (1 = Monday) and hour of day, in the listener's own
-- time zone; every cell of each listener's 7 x 24 grid (0 where nothing was played).
with grid as (
    select
        listeners.listener_id,
        weekdays.i + 1 as local_weekday,
        hours.i as local_hour
    from {{ ref('dim_listeners') }} as listeners
    cross join {{ positions(7) }} as weekdays
    cross join {{ positions(24) }} as hours
),

plays as (
    select
        listener_id,
        local_weekday,
        local_hour,
        count(*) as plays,
        sum(ms_played) as ms_played
    from {{ ref('fct_plays') }}
    group by listener_id, local_weekday, local_hour
)

select
    grid.listener_id,
    grid.local_weekday,
    case grid.local_weekday
        when 1 then 'Mon' when 2 then 'Tue' when 3 then 'Wed' when 4 then 'Thu'
        when 5 then 'Fri' when 6 then 'Sat' else 'Sun'
    end as weekday_name,
    grid.local_hour,
    coalesce(plays.plays, 0) as plays,
    round(cast(coalesce(plays.ms_played, 0) as numeric) / 60000.0, 3) as minutes
from grid
left join plays
  on plays.listener_id = grid.listener_id
 and plays.local_weekday = grid.local_weekday
 and plays.local_hour = grid.local_hour
