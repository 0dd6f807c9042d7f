{#
  One row per play, from the downloaded extended history and recently_played, each play
  once.

  Matching rule: a recently_played row is the same play as a history row when
    * the track is the same (spotify_track_uri = 'spotify:track:' || track.id),
    * played_at lies between the play's start minus the slack
      (ts - ms_played - slack) and its stop plus the slack (ts + slack),
      slack = var('play_match_slack_seconds') (60 s): export `ts` is when playback
      stopped, while clients record played_at at the start or at the end;
    * the history row can be in recently_played at all: ms_played >= 30 s, not in a
      private session.
  Each recently_played row takes the closest such history row (|played_at - ts|), and
  each history row at most one recently_played row. Matched plays keep the history's
  data (ms_played, platform...) and the API's played_at; recently_played rows with no
  match (newer than the download) are added with ms_played = the track's duration
  (the API does not say how long it played: ms_played_estimated is true).
#}
{% set slack = var('play_match_slack_seconds') %}
with history as (
    select * from {{ ref('stg_streaming_history') }}
),
api as (
    select * from {{ ref('stg_recently_played') }}
),
candidates as (
    select
        a.played_at,
        h.play_id,
        abs({{ epoch_s('a.played_at') }} - {{ epoch_s('h.ended_at') }}) as distance_s
    from api as a
    join history as h
      on h.track_id = a.track_id
     and h.ms_played >= 30000
     and not h.incognito_mode
     and {{ epoch_s('a.played_at') }}
         between {{ epoch_s('h.ended_at') }} - h.ms_played / 1000.0 - {{ slack }}
             and {{ epoch_s('h.ended_at') }} + {{ slack }}
),
closest_per_api as (
    select *, row_number() over (partition by played_at order by distance_s, play_id) as rn
    from candidates
),
matches as (
    select played_at, play_id
    from (
        select *, row_number() over (partition by play_id order by distance_s, played_at) as rn2
        from closest_per_api
        where rn = 1
    ) as m
    where rn2 = 1
)
select
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
left join matches as m on m.play_id = h.play_id
union all
select
    'api:' || md5(cast(a.played_at as varchar) || '|' || a.track_id) as play_id,
    'recently_played' as source,
    a.played_at as api_played_at,
    a.played_at as started_at,
    a.played_at + a.duration_ms * interval '1 millisecond' as ended_at,
    'track' as content_type,
    a.track_id,
    'spotify:track:' || a.track_id as item_uri,
    a.track_name as title,
    t.artist_name as creator,
    t.album_name,
    a.duration_ms as ms_played,
    true as ms_played_estimated,
    null as platform,
    null as reason_start,
    null as reason_end,
    null as shuffle,
    null as skipped
from api as a
left join {{ ref('dim_tracks') }} as t on t.track_id = a.track_id
where a.played_at not in (select played_at from matches)
