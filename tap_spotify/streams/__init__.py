"""The streams, one module per domain: the public catalog, the user's own data, and
the downloaded listening history."""
