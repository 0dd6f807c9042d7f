{# JSON, the same SQL on DuckDB (target-duckdb: JSON columns) and PostgreSQL (target-postgres: jsonb). #}

{# A JSON column as json. #}
{% macro js(expr) -%} cast({{ expr }} as json) {%- endmacro %}

{# Text of a key of a JSON object: js_text('track', 'id'), js_text("track->'album'", 'id'). #}
{% macro js_text(expr, key) -%} ({{ js(expr) }} ->> '{{ key }}') {%- endmacro %}

{# The n-th element (0-based) of a JSON array, as json. #}
{% macro js_at(expr, n) -%} ({{ js(expr) }} -> cast({{ n }} as integer)) {%- endmacro %}

{# Length of a JSON array, 0 when null. #}
{% macro js_len(expr) -%} coalesce(json_array_length({{ js(expr) }}), 0) {%- endmacro %}

{#
  A column holding a top-level JSON array, as json: target-duckdb stores it as JSON,
  target-postgres as an array of jsonb (jsonb[]).
#}
{% macro js_array_col(column) -%}
  {%- if target.type == 'postgres' -%} array_to_json({{ column }})
  {%- else -%} cast({{ column }} as json) {%- endif -%}
{%- endmacro %}
