-- Listening per day (UTC), from fct_plays: plays start the day they started.
select
    cast(started_at as date) as day,
    count(*) as plays,
    round(cast(sum(ms_played) as numeric) / 60000.0, 3) as minutes,
    count(distinct track_id) as tracks,
    count(distinct creator) as artists
from {{ ref('fct_plays') }}
group by cast(started_at as date)
