-- Account-data history: names only, to the minute. Describes the same plays as
-- streaming_history: use one or the other, never both added up.
{% set columns = {"play_id": "varchar", "ts": "timestamp", "endTime": "varchar",
    "artistName": "varchar", "trackName": "varchar", "podcastName": "varchar",
    "episodeName": "varchar", "msPlayed": "bigint"} %}
select
    play_id,
    cast(ts as timestamp) as ended_at,
    cast({{ adapter.quote('msPlayed') }} as bigint) as ms_played,
    case when {{ adapter.quote('podcastName') }} is not null then 'episode' else 'track' end
        as content_type,
    coalesce({{ adapter.quote('trackName') }}, {{ adapter.quote('episodeName') }}) as title,
    coalesce({{ adapter.quote('artistName') }}, {{ adapter.quote('podcastName') }}) as creator
from {{ source_or_empty('spotify', 'streaming_history_account', columns) }}
