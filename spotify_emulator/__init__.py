"""A local, deterministic emulator of the parts of the Spotify Web API tap-spotify uses:
the catalog, and one listener's data behind the Authorization Code flow.

Dev/test only and standard library only.  In-process::

    from spotify_emulator import EmulatorOptions, EmulatorServer
    with EmulatorServer(EmulatorOptions(seed=1, new_releases=40)) as emu:
        ...  # point a client at emu.api_url and emu.token_url
        ...  # a user signs in at emu.authorize_url; emu.backend.users holds their data

Out of process: ``python -m spotify_emulator --port 0`` (see the emulator
section of README.md).
"""

from __future__ import annotations

from .backend import SpotifyBackend
from .catalog import Album, Artist, Catalog, Track
from .hostile import Hostile
from .options import EmulatorOptions
from .server import EmulatorServer

__all__ = [
    "Album",
    "Artist",
    "Catalog",
    "EmulatorOptions",
    "EmulatorServer",
    "Hostile",
    "SpotifyBackend",
    "Track",
]
