"""The listeners: their data (plays, top items, library, follows, playlists), how it is
generated, rendered and changed, the endpoints that serve it, and the Authorization
Code flow that lets a listener sign in."""
