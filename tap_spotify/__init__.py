"""tap-spotify: a Singer tap for Spotify: the catalog (new releases, albums, tracks), a
listener's own data, and their downloaded listening history."""
