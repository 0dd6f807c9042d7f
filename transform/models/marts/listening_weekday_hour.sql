-- Listening per ISO weekday (1 = Monday) and hour of day (UTC), every cell of the
-- 7 x 24 grid present (0 where nothing was played).
with grid as (
    select d.i + 1 as weekday, h.i as hour
    from {{ positions(7) }} as d cross join {{ positions(24) }} as h
),
plays as (
    select
        cast(extract(isodow from started_at) as integer) as weekday,
        cast(extract(hour from started_at) as integer) as hour,
        count(*) as plays,
        sum(ms_played) as ms_played
    from {{ ref('fct_plays') }}
    group by 1, 2
)
select
    g.weekday,
    case g.weekday when 1 then 'Mon' when 2 then 'Tue' when 3 then 'Wed' when 4 then 'Thu'
                   when 5 then 'Fri' when 6 then 'Sat' else 'Sun' end as weekday_name,
    g.hour,
    coalesce(p.plays, 0) as plays,
    round(cast(coalesce(p.ms_played, 0) as numeric) / 60000.0, 3) as minutes
from grid as g
left join plays as p on p.weekday = g.weekday and p.hour = g.hour
