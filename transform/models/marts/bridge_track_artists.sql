-- track <-> artists, in credit order (artist_position 0 = main artist).
with ranked as (
    select *, row_number() over (partition by track_id order by priority) as rn
    from {{ ref('stg_track_objects') }}
)
select
    r.track_id,
    p.i as artist_position,
    {{ js_text(js_at('r.artists_json', 'p.i'), 'id') }} as artist_id,
    {{ js_text(js_at('r.artists_json', 'p.i'), 'name') }} as artist_name
from ranked as r
join {{ positions(100) }} as p on p.i < {{ js_len('r.artists_json') }}
where r.rn = 1
