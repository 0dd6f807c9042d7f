"""The streams, one module per domain: the public catalog, the listener's own data, the
downloaded listening history, and who the listener is.

A new API stream is a class, a schema, and one line in `API_STREAMS`.
"""

from __future__ import annotations

import typing as t

from tap_spotify.errors import ConfigError
from tap_spotify.streams.albums import AlbumsStream, AlbumTracksStream
from tap_spotify.streams.library import SavedAlbumsStream, SavedTracksStream
from tap_spotify.streams.new_releases import NewReleasesStream
from tap_spotify.streams.playlists import PlaylistItemsStream, PlaylistsStream
from tap_spotify.streams.user import (
    FollowedArtistsStream,
    MeStream,
    RecentlyPlayedStream,
    TopArtistsStream,
    TopTracksStream,
    UserStream,
)

if t.TYPE_CHECKING:
    from tap_spotify.client import SpotifyStream

#: The streams of the Web API, parents before their children.
API_STREAMS: tuple[type[SpotifyStream], ...] = (
    NewReleasesStream, AlbumsStream, AlbumTracksStream,
    MeStream, RecentlyPlayedStream, TopTracksStream, TopArtistsStream, SavedTracksStream,
    SavedAlbumsStream, FollowedArtistsStream, PlaylistsStream, PlaylistItemsStream,
)

def stream_name(cls: type[SpotifyStream]) -> str:
    name: str = cls.name  # type: ignore[misc]  # a class attribute of ours
    return name


#: The user streams' names, in order.
USER_STREAMS = tuple(stream_name(cls) for cls in API_STREAMS if issubclass(cls, UserStream))


def stream_scopes() -> dict[str, tuple[str, ...]]:
    """Each user stream's scopes: the one it needs first, then those it can use."""
    return {stream_name(cls): (cls.scope, *cls.extra_scopes)
            for cls in API_STREAMS if issubclass(cls, UserStream)}


def user_scopes() -> tuple[str, ...]:
    """Every scope the user streams need or use, in stream order: what login asks."""
    return tuple(dict.fromkeys(s for scopes in stream_scopes().values() for s in scopes))


def check_state_shape(state: t.Any) -> None:
    """ConfigError, in one line, for a state no run of tap-spotify could have written."""
    hint = "fix the state file, or run without it to start over."
    bookmarks = state.get("bookmarks", {}) if isinstance(state, dict) else None
    if not isinstance(bookmarks, dict):
        raise ConfigError(f"state: `bookmarks` must map each stream's name to an object; "
                          f"{hint}")
    classes = {stream_name(cls): cls for cls in API_STREAMS}
    for name, stream_state in bookmarks.items():
        problem = None
        if not isinstance(stream_state, dict):
            problem = "should be an object"
        elif not (isinstance(stream_state.get("partitions", []), list) and all(
                isinstance(p, dict) and isinstance(p.get("context", {}), dict)
                for p in stream_state.get("partitions", []))):
            problem = "partitions should be a list of objects, each with a context object"
        elif not isinstance(stream_state.get("replication_key_value", ""), str):
            problem = "replication_key_value should be a date-time"
        elif name in classes:
            problem = classes[name].state_problem(stream_state)
        if problem:
            raise ConfigError(f"state: bookmarks.{name}: {problem}; {hint}")
