"""The listening report: charts of the dbt marts, one self-contained HTML page."""
