#!/usr/bin/env bash
# README command 2 (CI runs exactly this): installs everything, then runs lint, type
# checks and the whole test suite.
#
# Python packages go into .venv at the repository root. Two tests need real servers
# that pip cannot install, so, as root, this also installs Debian's packages with apt:
# PostgreSQL (the warehouse, dbt and shared-state tests load into a real server, which
# the tests start on loopback and stop) and Chromium with its driver (the listening
# report is rendered in a real headless browser). Nothing else leaves .venv.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

apt_install() {  # apt_install WHAT PACKAGES...: Debian's packages, as root
    local what="$1"; shift
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing $what with apt (Debian packages, system-wide): $*"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "$what is not installed and this user cannot install it with apt: the tests" \
             "that need it will fail. Install $* and run again."
    fi
}
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
    apt_install "PostgreSQL (for the warehouse and shared-state tests)" postgresql
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install "Chromium (for the report's browser test)" chromium chromium-driver
fi

ensure_venv dev,analytics
.venv/bin/ruff check tap_spotify spotify_emulator tests benchmarks reports scripts devkit
.venv/bin/mypy tap_spotify spotify_emulator reports devkit
.venv/bin/python -m pytest "$@"
