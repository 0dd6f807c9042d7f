#!/usr/bin/env bash
# Benchmarks tap-spotify on the local emulator (against a tutorial baseline and spotipy),
# its user streams, and its history streams against a plain msgspec read, prints the
# tables and rewrites BENCHMARKS.md. Takes a few minutes (the sequential
# clients at 50 ms make ~1,300 requests each). Extra arguments go to benchmarks/bench.py
# (e.g. --releases 100 --no-markdown for a quick try).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_venv dev

# The listening-history benchmark first (1,000,000 plays; its table goes into
# BENCHMARKS.md with the rest), then the catalog and user streams.
.venv/bin/python -m benchmarks.history_bench
exec .venv/bin/python -m benchmarks.bench "$@"
