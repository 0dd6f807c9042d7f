"""JSON schemas of the records, one module per domain."""
