-- Every recently_played row is in fct_plays exactly once, with its listener: matched to
-- one of their history plays or added as its own.
select api.listener_id, api.played_at, count(plays.play_id) as n
from {{ ref('stg_spotify__recently_played') }} as api
left join {{ ref('fct_plays') }} as plays
  on plays.listener_id = api.listener_id and plays.api_played_at = api.played_at
group by api.listener_id, api.played_at
having count(plays.play_id) <> 1
