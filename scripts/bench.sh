#!/usr/bin/env bash
# Benchmarks tap-spotify on the local emulator (against a tutorial baseline and spotipy),
# its user streams, and its history streams against a plain msgspec read, prints the
# tables and rewrites BENCHMARKS.md. Takes a few minutes (the sequential
# clients at 50 ms make ~1,300 requests each). Extra arguments go to benchmarks/bench.py
# (e.g. --releases 100 --no-markdown for a quick try).
set -euo pipefail
cd "$(dirname "$0")/.."

# Same environment as scripts/test.sh, installed only when missing.
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/python -c 'import tap_spotify, spotipy, requests' >/dev/null 2>&1; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
fi

# The listening-history benchmark first (1,000,000 plays; its table goes into
# BENCHMARKS.md with the rest), then the catalog and user streams.
.venv/bin/python -m benchmarks.history_bench
exec .venv/bin/python -m benchmarks.bench "$@"
