"""A local, deterministic emulator of the parts of the Spotify Web API tap-spotify uses:
the catalog, and a household of listeners' data behind the Authorization Code flow.

Dev/test only and standard library only (it reads Spotify's facts from
``tap_spotify/spotify.py``, itself standard library only). In-process::

    from spotify_emulator import EmulatorOptions, EmulatorServer
    with EmulatorServer(EmulatorOptions(seed=1, new_releases=40)) as emu:
        ...  # point a client at emu.api_url and emu.token_url
        emu.backend.users.sign_in("alice")  # who signs in at emu.authorize_url

Out of process: ``python -m spotify_emulator --port 0`` (see the emulator
section of README.md).

Layout (moto's split): ``backend.py`` holds the state, ``options.py`` what shapes it,
``cli.py`` the command line built from those options; ``catalog/`` and ``user/`` the
two domains (model, generation, JSON, handlers, admin calls); ``http/`` the route
table, the request pipeline, the server and what happens on the wire.
"""

from __future__ import annotations

from .backend import SpotifyBackend
from .catalog.model import Album, Artist, Catalog, Track
from .http.hostile import Hostile
from .http.server import EmulatorServer
from .options import EmulatorOptions

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
