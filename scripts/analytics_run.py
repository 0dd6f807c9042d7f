"""The body of scripts/analytics.sh: the emulator and a synthetic history download per
listener -> one `meltano run tap-spotify target-duckdb` per listener of a household, into
one warehouse -> `meltano run dbt-duckdb:build` -> the listening report."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.emulator import as_meltano_env, catalog_settings, refresh_token_for  # noqa: E402
from devkit.listening import write_listening  # noqa: E402
from reports.listening import write_report  # noqa: E402
from spotify_emulator import EmulatorOptions, EmulatorServer  # noqa: E402

#: The household: the emulator's listener -> their time zone setting (None: UTC).
HOUSEHOLD = {"listener": "Europe/Madrid", "alice": None, "bob": "America/New_York"}


def meltano(args: list[str], env: dict[str, str], log: Path) -> bool:
    """`meltano <args>` in the repository's project, its output appended to `log`."""
    with log.open("a") as fh:
        fh.write(f"\n$ meltano {' '.join(args)}\n")
        fh.flush()
        proc = subprocess.run([str(Path(sys.executable).with_name("meltano")), *args],
                              cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=1800, check=False)
    if proc.returncode != 0:
        print("\n".join(log.read_text().splitlines()[-40:]), file=sys.stderr)
        print(f"analytics: error: meltano {args[0]} failed (full log: {log})", file=sys.stderr)
    return proc.returncode == 0


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
    log = (ROOT / args.logs / "meltano-run.log").resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    base = {**os.environ, "TARGET_DUCKDB_PATH": str(warehouse),
            "DBT_DUCKDB_PATH": str(warehouse), "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"}

    print(f"\n==> Starting the Spotify emulator ({args.new_releases} new releases, "
          f"listeners {', '.join(HOUSEHOLD)})")
    with EmulatorServer(EmulatorOptions(new_releases=args.new_releases)) as emu:
        for user, time_zone in HOUSEHOLD.items():
            listening = write_listening(emu, out / "history" / user, user)
            settings: dict[str, object] = {
                **catalog_settings(emu), "refresh_token": refresh_token_for(emu, user),
                "listener_id": user, "streaming_history_path": [str(listening.history_dir)]}
            if time_zone:
                settings["time_zone"] = time_zone
            command = ["run", "--full-refresh", "--state-id-suffix", f"analytics-{user}",
                       "tap-spotify", "target-duckdb"]
            print(f"\n==> {user} ({time_zone or 'UTC'}): {listening.history_plays} plays in "
                  f"the download, {listening.matched} of them also in recently_played\n"
                  f"    meltano {' '.join(command)}")
            if not meltano(command, {**base, **as_meltano_env(settings)}, log):
                return 1

    print(f"\n==> meltano run dbt-duckdb:build  ->  {warehouse.relative_to(ROOT)}")
    if not meltano(["run", "dbt-duckdb:build"], base, log):
        return 1
    done = [line for line in log.read_text().splitlines() if "Done. PASS=" in line]
    print("    dbt build: " + (done[-1].split("Done. ")[-1] if done else "done"))

    print("\n==> python -m reports")
    head = write_report(warehouse, report)
    print(f"\nThe listening report: {report}")
    print(f"    open it in a browser: file://{report}")
    for li in head["listeners"]:
        print(f"    {li['display_name']} ({li['time_zone']}): {li['plays']} plays, "
              f"{li['minutes']} minutes over {li['days']} days; top artist (short term): "
              f"{li['top_artist']}")
    print(f"    {head['new_releases']} new releases listed")
    print(f"    one listener's page: python -m reports --database {warehouse} --listener alice")
    print(f"    dbt models: schema analytics of {warehouse}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
