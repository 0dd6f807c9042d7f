#!/usr/bin/env bash
# tap-spotify demo: a full Meltano pipeline against the local Spotify emulator, offline.
#
#   bash scripts/demo.sh
#
# Needs only bash and python3 (3.10+). It:
#   1. creates .venv at the repository root if missing and installs the project with its
#      dev extra (Meltano, pytest...); skipped when already done for this pyproject.toml;
#   2. starts the emulator (250 new releases) on 127.0.0.1, stopped when the script ends;
#   3. `meltano install`s the project's plugins (once; later runs reuse them);
#   4. run 1: `meltano run --full-refresh tap-spotify target-jsonl` -> output/demo/
#      (full refresh, so every demo run starts from scratch and prints the same counts);
#   5. adds 2 albums to the emulator, then run 2: the same command without
#      --full-refresh -> output/demo-incremental/: only those 2 albums and their tracks;
#   6. your own data: `tap-spotify login --no-browser` against the emulator (the script
#      plays the browser), then `meltano run tap-spotify target-jsonl` with the stored
#      refresh token -> output/demo-user/: profile, plays, top items, library, playlists.
# The demo keeps its Meltano state apart (--state-id-suffix demo), so it never touches
# the bookmark of your real runs. Meltano still reads your .env: the emulator's URLs and
# credentials set here win over it, other TAP_SPOTIFY_* settings there (market,
# start_date...) apply to the demo too.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
NEW_RELEASES="${DEMO_NEW_RELEASES:-250}"
STATE_SUFFIX=demo
OUT_FULL=output/demo
OUT_INCREMENTAL=output/demo-incremental
OUT_USER=output/demo-user
LOG_DIR="$ROOT/output/demo-logs"
MELTANO="$VENV/bin/meltano"
mkdir -p "$LOG_DIR"

# 1. The virtualenv.
ensure_venv dev "$LOG_DIR/pip.log"

# 2. The emulator, in the background; stopped when the script ends.
say "Starting the Spotify emulator ($NEW_RELEASES new releases)"
start_emulator "$LOG_DIR/emulator.log" --new-releases "$NEW_RELEASES"
echo "    API:   $API_URL"
echo "    token: $TOKEN_URL"

export TAP_SPOTIFY_API_URL="$API_URL"
export TAP_SPOTIFY_AUTH_URL="$TOKEN_URL"
export TAP_SPOTIFY_CLIENT_ID=emulator-client
export TAP_SPOTIFY_CLIENT_SECRET=emulator-secret
export TAP_SPOTIFY_AUTHORIZE_URL="$AUTHORIZE_URL"
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false

# 3. Meltano's plugins (a no-op once installed).
say "meltano install"
quiet "$LOG_DIR/meltano-install.log" "$MELTANO" install

# 4. Full extraction.
rm -rf "$OUT_FULL" "$OUT_INCREMENTAL" "$OUT_USER"
say "Run 1: meltano run --full-refresh tap-spotify target-jsonl  ->  $OUT_FULL/"
TARGET_JSONL_DESTINATION_PATH="$OUT_FULL" quiet "$LOG_DIR/run1.log" \
    "$MELTANO" run --full-refresh --state-id-suffix "$STATE_SUFFIX" tap-spotify target-jsonl
"$PY" scripts/demo_summary.py "$OUT_FULL"

# 5. Two new albums, then an incremental run.
say "Adding 2 new albums to the emulator"
"$PY" - "$API_URL" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1].rsplit("/v1", 1)[0]
for query in ("release_date=2026-11-20&tracks=14&name=Demo%20Album%20One",
              "release_date=2026-11-19&tracks=2&name=Demo%20Single%20Two"):
    request = urllib.request.Request(f"{base}/_emulator/add_album?{query}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        print("    added album", json.load(response)["id"])
EOF

say "Run 2 (incremental): meltano run tap-spotify target-jsonl  ->  $OUT_INCREMENTAL/"
TARGET_JSONL_DESTINATION_PATH="$OUT_INCREMENTAL" quiet "$LOG_DIR/run2.log" \
    "$MELTANO" run --state-id-suffix "$STATE_SUFFIX" tap-spotify target-jsonl
"$PY" scripts/demo_summary.py "$OUT_INCREMENTAL"

STATE_ID="dev:tap-spotify-to-target-jsonl:$STATE_SUFFIX"
say "Bookmark kept by Meltano (meltano state get $STATE_ID)"
"$MELTANO" state get "$STATE_ID" 2>/dev/null | "$PY" scripts/demo_summary.py --state

# 6. Your own data: sign in once, then a run with the stored authorization.
USER_ENV="$LOG_DIR/demo-user.env"
rm -f "$USER_ENV"
say "tap-spotify login --no-browser  (the demo opens the URL, as your browser would)"
"$PY" scripts/demo_login.py "$USER_ENV" || die "tap-spotify login failed"
say "Run 3: meltano run --full-refresh tap-spotify target-jsonl with your authorization  ->  $OUT_USER/"
(
    set -a; . "$USER_ENV"; set +a
    TARGET_JSONL_DESTINATION_PATH="$OUT_USER" quiet "$LOG_DIR/run3.log" \
        "$MELTANO" run --full-refresh --state-id-suffix demo-user tap-spotify target-jsonl
)
"$PY" scripts/demo_summary.py --user "$OUT_USER"

say "Done. Output: $ROOT/$OUT_FULL/ (full), $ROOT/$OUT_INCREMENTAL/ (incremental), $ROOT/$OUT_USER/ (your data)"
echo "    Logs: $LOG_DIR/"
