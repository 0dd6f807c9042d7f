{# Time, the same meaning on DuckDB and PostgreSQL. #}

{#
  A UTC timestamp (no time zone, as both loaders store them) as the wall-clock time in
  the IANA time zone `tz` (an expression), daylight saving included. The session's own
  time zone plays no part.
#}
{% macro utc_to_local(ts, tz) -%}
  {{ return(adapter.dispatch('utc_to_local')(ts, tz)) }}
{%- endmacro %}

{# DuckDB (ICU): timezone('UTC', ts) reads ts as UTC; timezone(tz, that) is its wall time. #}
{% macro default__utc_to_local(ts, tz) -%}
  timezone({{ tz }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{% macro postgres__utc_to_local(ts, tz) -%}
  (({{ ts }}) at time zone 'UTC') at time zone {{ tz }}
{%- endmacro %}

{# Seconds since the epoch of a timestamp. #}
{% macro epoch_s(expr) -%} cast(extract(epoch from {{ expr }}) as double precision) {%- endmacro %}

{# 0..n-1 as rows of column i (array positions, weekdays, hours). #}
{% macro positions(n) -%}
  (select cast(g.i as integer) as i from generate_series(0, {{ n - 1 }}) as g(i))
{%- endmacro %}
