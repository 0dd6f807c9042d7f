-- playlist <-> items, in position order: tracks, episodes and local files.
select
    pi.playlist_id,
    cast(pi.position as integer) as position,
    pi.snapshot_id,
    case when coalesce(pi.is_local, false) then 'local'
         else {{ js_text('pi.item', 'type') }} end as item_type,
    {{ js_text('pi.item', 'id') }} as item_id,
    {{ js_text('pi.item', 'name') }} as item_name,
    cast(pi.added_at as timestamp) as added_at,
    {{ js_text('pi.added_by', 'id') }} as added_by
from {{ source('spotify', 'playlist_items') }} as pi
order by pi.playlist_id, cast(pi.position as integer)
