select
    cast(played_at as timestamp) as played_at,
    {{ js_text('track', 'id') }} as track_id,
    {{ js_text('track', 'name') }} as track_name,
    cast({{ js_text('track', 'duration_ms') }} as bigint) as duration_ms,
    {{ js_text(js('track') ~ "->'album'", 'id') }} as album_id,
    {{ js_text('context', 'type') }} as context_type,
    {{ js_text('context', 'uri') }} as context_uri
from {{ source('spotify', 'recently_played') }}
