"""The listening report: one self-contained page whose charts hold the marts' numbers,
and which a real headless Chromium renders with no network and no console errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.analytics.browser import CHROMIUM_CANDIDATES, DRIVER_CANDIDATES, find, open_report
from tests.meltano.helpers import REPO_ROOT, base_env

pytestmark = pytest.mark.timeout(1800)
SCREENSHOT = REPO_ROOT / "docs" / "report.png"
CHARTS = {"weekday_hour", "minutes_per_day", "top_artists", "new_releases"}


@pytest.fixture(scope="module")
def report(duckdb_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m reports`, the report's one command."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "reports", "--database", str(duckdb_warehouse), "--out", str(out)],
        cwd=REPO_ROOT, env=base_env(), capture_output=True, text=True, timeout=300,
        check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Report: {out}" in proc.stdout
    return out


def page_specs(page: Path) -> dict[str, dict[str, Any]]:
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-specs">(.*?)</script>',
                      text, re.S)
    assert found, "the page holds no chart specs"
    return json.loads(found.group(1))


def chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The data a Vega-Lite spec carries inline (`data.values` or a named dataset)."""
    data = spec["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def mart(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_report_is_one_self_contained_page(report: Path):
    text = report.read_text(encoding="utf-8")
    assert set(page_specs(report)) == CHARTS
    # No external scripts, styles or data: everything the page needs is inside it.
    assert not re.search(r'<script[^>]+src=|<link[^>]+href=|"url"\s*:\s*"http', text)
    assert "vegaEmbed" in text


def test_charts_hold_the_marts_numbers(report: Path, duckdb_warehouse: Path):
    specs = page_specs(report)
    heat = {(r["weekday"], r["hour"]): (r["plays"], r["minutes"])
            for r in chart_rows(specs["weekday_hour"])}
    want = {(w, h): (p, float(m)) for w, h, p, m in mart(
        duckdb_warehouse, "select weekday, hour, plays, minutes "
                          "from analytics.listening_weekday_hour")}
    assert heat == want and len(heat) == 7 * 24

    daily = {r["day"]: (r["plays"], r["minutes"]) for r in chart_rows(specs["minutes_per_day"])}
    want = {d.isoformat(): (p, float(m)) for d, p, m in mart(
        duckdb_warehouse, "select day, plays, minutes from analytics.listening_daily")}
    assert daily == want
    (total_ms,) = mart(duckdb_warehouse, "select sum(ms_played) from analytics.fct_plays")[0]
    assert sum(m for _p, m in daily.values()) == pytest.approx(total_ms / 60000, abs=0.05)

    top = {(r["snapshot_date"], r["time_range"], r["artist_rank"], r["artist_name"])
           for r in chart_rows(specs["top_artists"])}
    want = {(d.isoformat(), t, k, n) for d, t, k, n in mart(
        duckdb_warehouse, "select snapshot_date, time_range, artist_rank, artist_name "
                          "from analytics.top_artists_over_time where artist_rank <= 5")}
    assert top == want and len(top) == 3 * 5

    releases = {(r["release_date"], r["album_type"]): r["albums"]
                for r in chart_rows(specs["new_releases"])}
    want = {(d.isoformat(), t): n for d, t, n in mart(
        duckdb_warehouse, "select release_date, album_type, sum(albums) "
                          "from analytics.new_releases_daily group by 1, 2")}
    assert releases == want
    assert sum(releases.values()) == mart(
        duckdb_warehouse, "select count(*) from spotify.new_releases")[0][0]


def test_chromium_renders_every_chart(report: Path, tmp_path: Path):
    if find(CHROMIUM_CANDIDATES, "chromium") is None or find(DRIVER_CANDIDATES,
                                                            "chromedriver") is None:
        pytest.skip("Chromium is not installed: apt-get install -y chromium chromium-driver "
                    "(scripts/test.sh does)")
    shot = tmp_path / "report.png"
    result = open_report(report, screenshot=shot)
    assert result.rendered, "vegaEmbed did not finish rendering every chart"
    assert set(result.charts) == CHARTS
    for chart_id, found in result.charts.items():
        assert found["svg"] + found["canvas"] >= 1, f"{chart_id}: nothing rendered"
        assert found["marks"] > 0, f"{chart_id}: rendered with no marks"
    errors = [e for e in result.console if e.get("level") == "SEVERE"]
    assert not errors, f"console errors: {errors}"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    # The README shows this screenshot.
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)
