#!/usr/bin/env bash
# From raw streams to answers, offline: tap -> DuckDB -> dbt -> the listening report.
#
#   bash scripts/analytics.sh
#
# Needs only bash and python3 (3.10+). It:
#   1. creates .venv if missing and installs the project with its dev and analytics
#      extras (skipped when already done for this pyproject.toml);
#   2. `meltano install`s tap-spotify, target-duckdb and the dbt-duckdb utility;
#   3. starts the Spotify emulator in process (100 new releases, a household of three
#      listeners) and writes each a synthetic extended-history download overlapping
#      their recent plays;
#   4. for each listener, `meltano run --full-refresh tap-spotify target-duckdb` with
#      their refresh token, listener_id, time_zone and download, into
#      output/analytics/warehouse.duckdb (not your own output/warehouse.duckdb);
#   5. `meltano run dbt-duckdb:build`: builds the dbt models and runs their tests;
#   6. writes the report, output/analytics/report.html, and prints a few figures.
# Its Meltano state is kept apart (--state-id-suffix analytics-<listener>).
# The README's picture: python -m reports --database output/analytics/warehouse.duckdb \
#   --out output/analytics/report.html --screenshot docs/report.png
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
LOG_DIR="$ROOT/output/analytics/logs"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'analytics: error: %s\n' "$*" >&2; exit 1; }
quiet() {
    local log="$1"; shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "'$*' failed (full log: $log)"
    fi
}

command -v python3 >/dev/null || die "python3 not found: install Python 3.10 or newer"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "Python 3.10 or newer is needed, found $(python3 --version 2>&1)"
mkdir -p "$LOG_DIR"

STAMP="$VENV/.analytics-installed"
if [ ! -x "$PY" ]; then
    say "Creating .venv"
    python3 -m venv "$VENV" \
        || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ ! -x "$VENV/bin/meltano" ]; then
    say "Installing tap-spotify with its dev and analytics extras into .venv"
    quiet "$LOG_DIR/pip.log" "$PY" -m pip install --disable-pip-version-check -q \
        -e '.[dev,analytics]'
    touch "$STAMP"
fi

export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false
say "meltano install tap-spotify target-duckdb dbt-duckdb"
quiet "$LOG_DIR/meltano-install.log" "$VENV/bin/meltano" install \
    tap-spotify target-duckdb dbt-duckdb

"$PY" scripts/analytics_run.py --out output/analytics --logs "$LOG_DIR"
