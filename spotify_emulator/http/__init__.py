"""The HTTP side: route table, request pipeline, server, and what happens on the wire
(tokens, rate limits, faults, compression, hostile behaviours, stats)."""
