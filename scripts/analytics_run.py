"""The body of scripts/analytics.sh: emulator + synthetic history -> meltano run
(tap-spotify, target-duckdb, dbt-duckdb:build) -> the listening report."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.listening import write_report  # noqa: E402
from spotify_emulator import EmulatorOptions, EmulatorServer  # noqa: E402
from tests.analytics.listening import write_listening  # noqa: E402
from tests.tap.conftest import refresh_token_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("output/analytics"))
    parser.add_argument("--logs", type=Path, default=Path("output/analytics/logs"))
    parser.add_argument("--new-releases", type=int, default=100)
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    warehouse = out / "warehouse.duckdb"
    report = out / "report.html"
    out.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)  # every run starts from scratch

    print(f"\n==> Starting the Spotify emulator ({args.new_releases} new releases, "
          "one listener) and writing a synthetic history download")
    with EmulatorServer(EmulatorOptions(new_releases=args.new_releases)) as emu:
        listening = write_listening(emu, out / "history")
        print(f"    {listening.history_plays} plays in the download, "
              f"{listening.matched} of them also in recently_played")
        env = {
            **os.environ,
            "TAP_SPOTIFY_API_URL": emu.api_url,
            "TAP_SPOTIFY_AUTH_URL": emu.token_url,
            "TAP_SPOTIFY_CLIENT_ID": emu.backend.options.client_id,
            "TAP_SPOTIFY_CLIENT_SECRET": emu.backend.options.client_secret,
            "TAP_SPOTIFY_REFRESH_TOKEN": refresh_token_for(emu),
            "TAP_SPOTIFY_STREAMING_HISTORY_PATH": json.dumps([str(listening.history_dir)]),
            "TARGET_DUCKDB_PATH": str(warehouse),
            "DBT_DUCKDB_PATH": str(warehouse),
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        command = ["meltano", "run", "--full-refresh", "--state-id-suffix", "analytics",
                   "tap-spotify", "target-duckdb", "dbt-duckdb:build"]
        print(f"\n==> {' '.join(command)}  ->  {warehouse.relative_to(ROOT)}")
        log = (ROOT / args.logs / "meltano-run.log").resolve()
        with log.open("w") as fh:
            proc = subprocess.run([str(Path(sys.executable).with_name("meltano")), *command[1:]],
                                  cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=1800, check=False)
        if proc.returncode != 0:
            print("\n".join(log.read_text().splitlines()[-40:]), file=sys.stderr)
            print(f"analytics: error: meltano run failed (full log: {log})", file=sys.stderr)
            return 1
        done = [line for line in log.read_text().splitlines() if "Done. PASS=" in line]
        print("    dbt build: " + (done[-1].split("Done. ")[-1] if done else "done"))

    print("\n==> python -m reports")
    head = write_report(warehouse, report)
    print(f"\nThe listening report: {report}")
    print(f"    open it in a browser: file://{report}")
    print(f"    {head['plays']} plays, {head['minutes']} minutes over {head['days']} days; "
          f"top artist (short term): {head['top_artist']}; "
          f"{head['new_releases']} new releases listed")
    print(f"    dbt models: schema analytics of {warehouse}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
