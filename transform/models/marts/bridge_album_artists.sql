-- album <-> artists, in credit order (artist_position 0 = main artist).
with album_objects as (
    select
        *,
        row_number() over (partition by album_id order by priority, album_name) as object_rank
    from {{ ref('int_album_objects_unioned') }}
)

select
    a.album_id,
    p.i as artist_position,
    {{ js_text(js_at('a.artists_json', 'p.i'), 'id') }} as artist_id,
    {{ js_text(js_at('a.artists_json', 'p.i'), 'name') }} as artist_name
from album_objects as a
join {{ positions(100) }} as p on p.i < {{ js_len('a.artists_json') }}
where a.object_rank = 1
