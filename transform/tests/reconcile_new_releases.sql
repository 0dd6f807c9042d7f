-- new_releases_daily counts every listed album once.
select *
from (select count(*) as n from {{ source('spotify', 'new_releases') }}) as s,
     (select sum(albums) as n from {{ ref('new_releases_daily') }}) as m
where s.n <> coalesce(m.n, 0)
