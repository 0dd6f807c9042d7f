{#
  One row per play and listener: each listener's downloaded extended history, plus their
  recently_played plays the download does not hold (int_recently_played_matched_to_history
  says which it does). Matched plays keep the history's data (ms_played, platform...) and
  the API's played_at; API-only plays come with ms_played = the track's duration
  (ms_played_estimated: the API does not say how long it played).
  Times are UTC (started_at, ended_at) and the listener's own wall-clock time
  (started_at_local, played_on, local_hour, local_weekday) in dim_listeners.time_zone.
#}
with history as (
    select * from {{ ref('stg_spotify__streaming_history') }}
),

api_plays as (
    select * from {{ ref('stg_spotify__recently_played') }}
),

matches as (
    select * from {{ ref('int_recently_played_matched_to_history') }}
),

tracks as (
    select * from {{ ref('dim_tracks') }}
),

listeners as (
    select * from {{ ref('dim_listeners') }}
),

history_plays as (
    select
        h.listener_id,
        h.play_id,
        'history' as source,
        m.played_at as api_played_at,
        h.started_at,
        h.ended_at,
        h.content_type,
        h.track_id,
        coalesce(h.track_uri, h.episode_uri) as item_uri,
        h.title,
        h.creator,
        h.album_name,
        h.ms_played,
        false as ms_played_estimated,
        h.platform,
        h.reason_start,
        h.reason_end,
        h.shuffle,
        h.skipped
    from history as h
    left join matches as m on m.listener_id = h.listener_id and m.play_id = h.play_id
),

api_only_plays as (
    select
        a.listener_id,
        'api:' || md5(cast(a.played_at as varchar) || '|' || a.track_id) as play_id,
        'recently_played' as source,
        a.played_at as api_played_at,
        a.played_at as started_at,
        a.played_at + a.duration_ms * interval '1 millisecond' as ended_at,
        'track' as content_type,
        a.track_id,
        'spotify:track:' || a.track_id as item_uri,
        a.track_name as title,
        tracks.artist_name as creator,
        tracks.album_name,
        a.duration_ms as ms_played,
        true as ms_played_estimated,
        cast(null as varchar) as platform,
        cast(null as varchar) as reason_start,
        cast(null as varchar) as reason_end,
        cast(null as boolean) as shuffle,
        cast(null as boolean) as skipped
    from api_plays as a
    left join tracks on tracks.track_id = a.track_id
    where not exists (
        select 1 from matches as m
        where m.listener_id = a.listener_id and m.played_at = a.played_at
    )
),

plays as (
    select * from history_plays
    union all
    select * from api_only_plays
),

localized as (
    select
        plays.*,
        listeners.time_zone,
        {{ utc_to_local('plays.started_at', 'listeners.time_zone') }} as started_at_local
    from plays
    join listeners on listeners.listener_id = plays.listener_id
)

select
    listener_id,
    play_id,
    source,
    api_played_at,
    started_at,
    ended_at,
    time_zone,
    started_at_local,
    cast(started_at_local as date) as played_on,
    cast(extract(hour from started_at_local) as integer) as local_hour,
    cast(extract(isodow from started_at_local) as integer) as local_weekday,
    content_type,
    track_id,
    item_uri,
    title,
    creator,
    album_name,
    ms_played,
    ms_played_estimated,
    platform,
    reason_start,
    reason_end,
    shuffle,
    skipped
from localized
