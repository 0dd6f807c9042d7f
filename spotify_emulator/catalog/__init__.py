"""The catalog: artists, albums and tracks, how they are generated and rendered, and
the endpoints that serve them (new releases, albums, their tracks, search)."""
