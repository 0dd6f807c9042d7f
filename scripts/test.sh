#!/usr/bin/env bash
# Installs everything into .venv at the repository root, then runs the whole test
# suite: lint, types and pytest. CI runs exactly this command.
set -euo pipefail
cd "$(dirname "$0")/.."

# A real PostgreSQL server for the loader test: Debian's package when it is missing.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL (Debian package) for the loader tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is not installed and cannot be installed here: its test will skip."
  fi
fi

# A real headless Chromium for the report's browser test: Debian's packages when missing.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium (Debian packages) for the report's browser test..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is not installed and cannot be installed here: its test will skip."
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev,analytics]'

.venv/bin/ruff check tap_spotify spotify_emulator tests benchmarks reports
.venv/bin/mypy tap_spotify spotify_emulator reports
.venv/bin/python -m pytest "$@"
