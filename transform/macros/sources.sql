{#
  A source table, or an empty relation of the same columns when the loader never created
  it (a stream that was not selected, or had nothing to send). The columns and their
  types are the ones declared in models/staging/spotify/_spotify__sources.yml.
#}
{% macro source_or_empty(source_name, table_name) -%}
  {%- set relation = source(source_name, table_name) -%}
  {%- if execute and adapter.get_relation(database=relation.database, schema=relation.schema,
                                          identifier=relation.identifier) is none -%}
    {{ empty_source(source_name, table_name) }}
  {%- else -%}
    {{ relation }}
  {%- endif -%}
{%- endmacro %}

{# Typed nulls, no rows: the declared columns of a source table, under its name. #}
{% macro empty_source(source_name, table_name) -%}
  {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', source_name)
                 | selectattr('name', 'equalto', table_name) | first -%}
  (select
  {%- for column in node.columns.values() %}
      cast(null as {{ column_type(column.data_type) }}) as {{ adapter.quote(column.name) }}
      {{- "," if not loop.last }}
  {%- endfor %}
  where false) as {{ adapter.quote(table_name) }}
{%- endmacro %}

{# The declared types (text, bigint, boolean, date, timestamp, json, json_array) as each
   loader creates them. #}
{% macro column_type(declared) -%}
  {{ return(adapter.dispatch('column_type')(declared)) }}
{%- endmacro %}

{% macro default__column_type(declared) -%}
  {{ return({'json_array': 'json'}.get(declared, declared)) }}
{%- endmacro %}

{% macro postgres__column_type(declared) -%}
  {{ return({'json': 'jsonb', 'json_array': 'jsonb[]'}.get(declared, declared)) }}
{%- endmacro %}
