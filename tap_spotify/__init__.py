"""tap-spotify: a Singer tap for Spotify new releases, their albums and tracks."""
