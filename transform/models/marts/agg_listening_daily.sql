-- Listening per listener and day, in the listener's own time zone: a play counts on the
-- day it started there.
select
    listener_id,
    played_on,
    count(*) as plays,
    round(cast(sum(ms_played) as numeric) / 60000.0, 3) as minutes,
    count(distinct track_id) as tracks,
    count(distinct creator) as artists
from {{ ref('fct_plays') }}
group by listener_id, played_on
