-- One row per listener: everyone the listeners stream describes, and anyone whose data is
-- in the warehouse without such a row (an older load, a download-only run through
-- another target): their time zone defaults to UTC. A listener no longer synced keeps
-- their row (and every other row of theirs).
{% set listener_tables = ['stg_spotify__me', 'stg_spotify__recently_played',
    'stg_spotify__top_tracks', 'stg_spotify__top_artists', 'stg_spotify__saved_tracks',
    'stg_spotify__saved_albums', 'stg_spotify__followed_artists', 'stg_spotify__playlists',
    'stg_spotify__streaming_history', 'stg_spotify__streaming_history_account'] %}

with described as (
    select * from {{ ref('stg_spotify__listeners') }}
),

profiles as (
    select * from {{ ref('stg_spotify__me') }}
),

seen as (
    select listener_id from described
    {% for table in listener_tables %}
    union
    select listener_id from {{ ref(table) }}
    {% endfor %}
)

select
    seen.listener_id,
    coalesce(described.display_name, profiles.display_name, seen.listener_id) as display_name,
    coalesce(described.account_id, profiles.account_id) as account_id,
    coalesce(described.user_id, profiles.user_id) as user_id,
    coalesce(described.time_zone, 'UTC') as time_zone,
    profiles.country,
    profiles.product,
    described.authorized_on,
    described.authorization_ends_on,
    described.synced_on as last_synced_on,
    described.listener_id is not null as is_described
from seen
left join described on described.listener_id = seen.listener_id
left join profiles on profiles.listener_id = seen.listener_id
where seen.listener_id is not null
