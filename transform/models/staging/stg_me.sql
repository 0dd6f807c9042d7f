select id as user_id, display_name, country, product
from {{ source('spotify', 'me') }}
