"""`python -m tap_spotify`: the same as the `tap-spotify` command."""

from tap_spotify.cli import main

main()
