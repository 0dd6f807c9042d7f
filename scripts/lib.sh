# Shared by the scripts: the .venv they all use, and the local Spotify emulator.
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Needs only bash and python3 (3.10+).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
PROG="$(basename "$0" .sh)"

say() { printf '\n==> %s\n' "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

# quiet LOG COMMAND...: runs a command with its output in LOG; on failure shows the end
# of the log and stops.
quiet() {
    local log="$1"; shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "'$*' failed (full log: $log)"
    fi
}

# ensure_venv EXTRAS [LOG]: .venv at the repository root with the project installed
# editable with those extras (`dev` or `dev,analytics`); reinstalled only when
# pyproject.toml changed since, or the extras differ.
ensure_venv() {
    local extras="$1" log="${2:-/dev/null}"
    command -v python3 >/dev/null || die "python3 not found: install Python 3.10 or newer"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "Python 3.10 or newer is needed, found $(python3 --version 2>&1)"
    if [ ! -x "$PY" ]; then
        say "Creating .venv"
        python3 -m venv "$VENV" \
            || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
    local stamp="$VENV/.installed-$extras"
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        say "Installing tap-spotify with its $extras extras into .venv (a minute or two the first time)"
        "$PY" -m pip install -q --disable-pip-version-check --upgrade pip >>"$log" 2>&1 || true
        quiet "$log" "$PY" -m pip install -q --disable-pip-version-check -e "$ROOT[$extras]"
        touch "$stamp"
    fi
}

# start_emulator LOG ARGS...: starts `python -m spotify_emulator --port 0 ARGS` in the
# background (it stops when the script exits, and by itself after an hour), and sets
# API_URL, TOKEN_URL and AUTHORIZE_URL.
start_emulator() {
    local log="$1"; shift
    EMU_OUT="$(mktemp)"
    "$PY" -m spotify_emulator --port 0 --lifetime 3600 "$@" >"$EMU_OUT" 2>"$log" &
    EMU_PID=$!
    trap stop_emulator EXIT
    trap 'exit 130' INT TERM
    for _ in $(seq 1 100); do
        API_URL="$(sed -n 's/^API_URL=//p' "$EMU_OUT")"
        TOKEN_URL="$(sed -n 's/^TOKEN_URL=//p' "$EMU_OUT")"
        AUTHORIZE_URL="$(sed -n 's/^AUTHORIZE_URL=//p' "$EMU_OUT")"
        [ -n "$API_URL" ] && [ -n "$TOKEN_URL" ] && return 0
        kill -0 "$EMU_PID" 2>/dev/null || { cat "$log" >&2; die "the emulator exited"; }
        sleep 0.1
    done
    die "the emulator printed no URLs in 10 s"
}

stop_emulator() {
    if [ -n "${EMU_PID:-}" ] && kill -0 "$EMU_PID" 2>/dev/null; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
    fi
    rm -f "${EMU_OUT:-}"
}
