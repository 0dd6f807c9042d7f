{#
  Which downloaded play each recently_played row is, per listener (the matching rule of
  fct_plays, README "One play, once"). A recently_played row is the same play as a
  history row of the same listener when
    * the track is the same (spotify_track_uri = 'spotify:track:' || track.id),
    * played_at lies between the play's start minus the slack (ts - ms_played - slack)
      and its stop plus the slack (ts + slack), slack = var('play_match_slack_seconds'):
      the export's ts is when playback stopped, while clients record played_at at the
      start or at the end;
    * the history row can be in recently_played at all: ms_played >= 30 s, not in a
      private session.
  Each recently_played row takes the closest such history row (|played_at - ts|), and
  each history row at most one recently_played row.
#}
{% set slack = var('play_match_slack_seconds') %}

with history as (
    select * from {{ ref('stg_spotify__streaming_history') }}
    where ms_played >= 30000 and not incognito_mode
),

api_plays as (
    select * from {{ ref('stg_spotify__recently_played') }}
),

candidates as (
    select
        a.listener_id,
        a.played_at,
        h.play_id,
        abs({{ epoch_s('a.played_at') }} - {{ epoch_s('h.ended_at') }}) as distance_s
    from api_plays as a
    join history as h
      on h.listener_id = a.listener_id
     and h.track_id = a.track_id
     and {{ epoch_s('a.played_at') }}
         between {{ epoch_s('h.ended_at') }} - h.ms_played / 1000.0 - {{ slack }}
             and {{ epoch_s('h.ended_at') }} + {{ slack }}
),

closest_per_api_play as (
    select
        *,
        row_number() over (
            partition by listener_id, played_at order by distance_s, play_id
        ) as api_rank
    from candidates
),

closest_per_history_play as (
    select
        *,
        row_number() over (
            partition by listener_id, play_id order by distance_s, played_at
        ) as history_rank
    from closest_per_api_play
    where api_rank = 1
)

select listener_id, played_at, play_id, distance_s
from closest_per_history_play
where history_rank = 1
