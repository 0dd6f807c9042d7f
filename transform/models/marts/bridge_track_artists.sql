-- track <-> artists, in credit order (artist_position 0 = main artist).
with track_objects as (
    select
        *,
        row_number() over (partition by track_id order by priority, track_name) as object_rank
    from {{ ref('int_track_objects_unioned') }}
)

select
    t.track_id,
    p.i as artist_position,
    {{ js_text(js_at('t.artists_json', 'p.i'), 'id') }} as artist_id,
    {{ js_text(js_at('t.artists_json', 'p.i'), 'name') }} as artist_name
from track_objects as t
join {{ positions(100) }} as p on p.i < {{ js_len('t.artists_json') }}
where t.object_rank = 1
