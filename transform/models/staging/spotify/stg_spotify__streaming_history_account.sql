-- Account-data history: names only, to the minute. It describes the same plays as
-- streaming_history: use one or the other, never both added up.
with renamed as (
    select
        listener_id,
        play_id,
        cast(ts as timestamp) as ended_at,
        cast({{ adapter.quote('msPlayed') }} as bigint) as ms_played,
        case
            when {{ adapter.quote('podcastName') }} is not null then 'episode'
            when {{ adapter.quote('audiobookName') }} is not null then 'audiobook'
            else 'track'
        end as content_type,
        coalesce({{ adapter.quote('trackName') }}, {{ adapter.quote('episodeName') }},
                 {{ adapter.quote('chapterName') }}) as title,
        coalesce({{ adapter.quote('artistName') }}, {{ adapter.quote('podcastName') }},
                 {{ adapter.quote('audiobookName') }}) as creator
    from {{ source_or_empty('spotify', 'streaming_history_account') }}
)

select * from renamed
