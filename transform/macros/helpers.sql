{# Small cross-database helpers: the same SQL on DuckDB and PostgreSQL. #}

{# Models go to the profile's schema as they are (no <target>_<custom> prefixing). #}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}

{# A JSON column as `json` (target-duckdb: JSON; target-postgres: JSONB). #}
{% macro js(expr) -%} cast({{ expr }} as json) {%- endmacro %}

{# Text of a key of a JSON object: js_text('track', 'id'), js_text("track->'album'", 'id'). #}
{% macro js_text(expr, key) -%} ({{ js(expr) }} ->> '{{ key }}') {%- endmacro %}

{# The n-th element (0-based) of a JSON array, as json. #}
{% macro js_at(expr, n) -%} ({{ js(expr) }} -> cast({{ n }} as integer)) {%- endmacro %}

{% macro js_len(expr) -%} coalesce(json_array_length({{ js(expr) }}), 0) {%- endmacro %}

{# Seconds since the epoch of a timestamp. #}
{% macro epoch_s(expr) -%} cast(extract(epoch from {{ expr }}) as double precision) {%- endmacro %}

{# 0..n-1 as rows of column i, to walk JSON arrays the same way on both databases. #}
{% macro positions(n) -%}
  (select cast(g.i as integer) as i from generate_series(0, {{ n - 1 }}) as g(i))
{%- endmacro %}

{#
  A source table, or an empty one of the given columns when the loader has not created
  it (the history streams exist only with streaming_history_path).
#}
{% macro source_or_empty(source_name, table_name, columns) -%}
  {%- set rel = source(source_name, table_name) -%}
  {%- set found = adapter.get_relation(database=rel.database, schema=rel.schema,
                                       identifier=rel.identifier) if execute else rel -%}
  {%- if found is not none -%}
    {{ rel }}
  {%- else -%}
    (select {% for name, type in columns.items() %}cast(null as {{ type }}) as {{ adapter.quote(name) }}{{ ", " if not loop.last }}{% endfor %} where 1 = 0)
  {%- endif -%}
{%- endmacro %}

{#
  A column holding a top-level JSON array, as json: target-duckdb stores it as JSON,
  target-postgres as an array of jsonb (jsonb[]).
#}
{% macro js_array_col(column) -%}
  {%- if target.type == 'postgres' -%} array_to_json({{ column }})
  {%- else -%} cast({{ column }} as json) {%- endif -%}
{%- endmacro %}
