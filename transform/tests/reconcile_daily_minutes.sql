-- listening_daily and listening_weekday_hour add up to fct_plays (to rounding).
with f as (select count(*) as plays, sum(ms_played) / 60000.0 as minutes
           from {{ ref('fct_plays') }}),
     d as (select sum(plays) as plays, sum(minutes) as minutes
           from {{ ref('listening_daily') }}),
     w as (select sum(plays) as plays, sum(minutes) as minutes
           from {{ ref('listening_weekday_hour') }})
select * from f, d, w
where f.plays <> d.plays or f.plays <> w.plays
   or abs(f.minutes - d.minutes) > 0.01 or abs(f.minutes - w.minutes) > 0.01
