-- Every listener has all 168 cells of the weekday x hour grid.
select listeners.listener_id, count(grid.local_hour) as cells
from {{ ref('dim_listeners') }} as listeners
left join {{ ref('agg_listening_weekday_hour') }} as grid
  on grid.listener_id = listeners.listener_id
group by listeners.listener_id
having count(grid.local_hour) <> 7 * 24
