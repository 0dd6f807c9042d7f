-- When each listener first played each artist (music plays; the artist as the download
-- names it), and in what order the household came to them: household_order 1 is the
-- listener who played the artist first.
with music_plays as (
    select listener_id, creator as artist_name, started_at, played_on, ms_played
    from {{ ref('fct_plays') }}
    where content_type = 'track' and creator is not null
),

plays_in_order as (
    select
        *,
        row_number() over (
            partition by listener_id, artist_name order by started_at
        ) as play_number,
        count(*) over (partition by listener_id, artist_name) as plays,
        sum(ms_played) over (partition by listener_id, artist_name) as ms_played_total
    from music_plays
),

first_plays as (
    select
        listener_id,
        artist_name,
        started_at as first_played_at,
        played_on as first_played_on,
        plays,
        round(cast(ms_played_total as numeric) / 60000.0, 3) as minutes
    from plays_in_order
    where play_number = 1
)

select
    *,
    row_number() over (
        partition by artist_name order by first_played_at, listener_id
    ) as household_order,
    count(*) over (partition by artist_name) as household_listeners
from first_plays
