"""The schemas follow Spotify's reference: every field Spotify's OpenAPI description
documents for the objects a stream emits is declared (the description in
tests/fixtures/spotify/openapi/, see its NOTICE). A field Spotify adds there and we
do not declare fails this test; one it removes stays declared (optional, as every
field but the keys is)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tap_spotify.schemas import catalog, user
from tap_spotify.schemas.objects import TRACK

OPENAPI = Path(__file__).parents[1] / "fixtures/spotify/openapi/spotify-web-api.fixed.yml"

#: Stream schema -> Spotify's object, and what the stream deliberately does not keep
#: at that level (with why).
EMITTED = {
    "me": (user.ME, "PrivateUserObject", set()),
    "recently_played": (user.RECENTLY_PLAYED, "PlayHistoryObject", set()),
    "top_tracks": (user.TOP_TRACK, "TrackObject", set()),
    "top_artists": (user.TOP_ARTIST, "ArtistObject", set()),
    "saved_tracks": (user.SAVED_TRACK, "SavedTrackObject", set()),
    "saved_albums": (user.SAVED_ALBUM, "SavedAlbumObject", set()),
    "followed_artists": (user.FOLLOWED_ARTIST, "ArtistObject", set()),
    # `tracks` is Spotify's name for `items` before 2026: the stream keeps `items`.
    "playlists": (user.PLAYLIST, "SimplifiedPlaylistObject", {"tracks"}),
    # `track` is the old name of `item`: the stream keeps `item`.
    "playlist_items": (user.PLAYLIST_ITEM, "PlaylistTrackObject", {"track"}),
    "new_releases": (catalog.NEW_RELEASE, "SimplifiedAlbumObject", set()),
    # An album's embedded first page of tracks goes to album_tracks.
    "albums": (catalog.ALBUM, "AlbumObject", {"tracks"}),
    "album_tracks": (catalog.ALBUM_TRACK, "SimplifiedTrackObject", set()),
    "a track nested in plays, saves and playlist items": (TRACK.to_dict(), "TrackObject",
                                                          set()),
    "the album nested in saved_albums": (
        user.SAVED_ALBUM["properties"]["album"], "AlbumObject", set()),
}


@pytest.fixture(scope="module")
def components() -> dict:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]


def documented(components: dict, name: str) -> set[str]:
    """The properties of a Spotify object, through its allOf references."""
    spec = components[name]
    fields: set[str] = set()
    for part in spec.get("allOf", [spec]):
        if "$ref" in part:
            fields |= documented(components, part["$ref"].rsplit("/", 1)[-1])
        fields |= set(part.get("properties", {}))
    return fields


@pytest.mark.parametrize("stream", list(EMITTED))
def test_every_documented_field_is_declared(components, stream):
    schema, spotify_object, left_out = EMITTED[stream]
    missing = documented(components, spotify_object) - set(schema["properties"]) - left_out
    assert not missing, f"{stream} does not declare {sorted(missing)} of {spotify_object}"


def test_the_openapi_description_is_the_2026_one(components):
    """account_id (May 2026) is documented: the drift check reads a current description."""
    assert "account_id" in documented(components, "PrivateUserObject")
