"""`python -m tap_spotify`, the same as the `tap-spotify` command."""

from tap_spotify.tap import main

main()
