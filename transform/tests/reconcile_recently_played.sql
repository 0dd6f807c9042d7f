-- Every recently_played row is in fct_plays exactly once: matched to a history play or
-- added as its own.
select r.played_at, count(f.play_id) as n
from {{ ref('stg_recently_played') }} as r
left join {{ ref('fct_plays') }} as f on f.api_played_at = r.played_at
group by r.played_at
having count(f.play_id) <> 1
