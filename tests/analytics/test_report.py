"""The listening report: one self-contained page whose charts hold the marts' numbers, for
whatever subset of streams was loaded, for one listener or a household compared; and a
real headless Chromium renders it with no network and no console errors. Screenshots go
to a temp folder: docs/report.png changes only by `python -m reports --screenshot`."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reports.browser import CHROMIUM_CANDIDATES, DRIVER_CANDIDATES, find, open_report
from reports.listening import SHARED, TOP
from tests.analytics.conftest import SUBSETS, Built
from tests.meltano.helpers import REPO_ROOT, base_env

pytestmark = pytest.mark.timeout(1800)
SCREENSHOT = REPO_ROOT / "docs" / "report.png"
#: The charts of a one-listener page, by the streams loaded.
SUBSET_CHARTS = {
    "download": {"weekday_hour", "minutes_per_day"},
    "catalog": {"new_releases"},
    "user": {"weekday_hour", "minutes_per_day", "top_artists"},
    "all": {"weekday_hour", "minutes_per_day", "top_artists", "new_releases"},
}
COMPARISONS = {"shared_top_artists", "library_overlap", "first_plays"}


def render(database: Path, out: Path, *args: str) -> Path:
    """`python -m reports`, the report's one command."""
    proc = subprocess.run(
        [sys.executable, "-m", "reports", "--database", str(database), "--out", str(out),
         *args], cwd=REPO_ROOT, env=base_env(), capture_output=True, text=True, timeout=300,
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


def rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The data a Vega-Lite spec carries inline (`data.values` or a named dataset)."""
    data = spec["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def mart(built: Built, sql: str) -> list[tuple[Any, ...]]:
    return built.warehouse.query(sql)


def names(built: Built) -> dict[str, str]:
    return dict(mart(built, "select listener_id, display_name from analytics.dim_listeners"))


def check_listener_charts(specs: dict[str, Any], built: Built, listeners: list[str]) -> None:
    """Each listener chart on the page holds exactly these listeners' mart rows."""
    who = names(built)
    shown = "(" + ", ".join(f"'{lid}'" for lid in listeners) + ")"
    if "weekday_hour" in specs:
        heat = {(r["listener"], r["weekday"], r["hour"]): (r["plays"], r["minutes"])
                for r in rows(specs["weekday_hour"])}
        want = {(who[lid], w, h): (p, float(m)) for lid, w, h, p, m in mart(
            built, "select listener_id, local_weekday, local_hour, plays, minutes from "
                   f"analytics.agg_listening_weekday_hour where listener_id in {shown}")}
        assert heat == want and len(heat) == 7 * 24 * len(listeners)
    if "minutes_per_day" in specs:
        daily = {(r["listener"], r["day"]): (r["plays"], r["minutes"])
                 for r in rows(specs["minutes_per_day"])}
        want = {(who[lid], str(d)): (p, float(m)) for lid, d, p, m in mart(
            built, "select listener_id, played_on, plays, minutes from "
                   f"analytics.agg_listening_daily where listener_id in {shown}")}
        assert daily == want
    if "top_artists" in specs:
        top = {(r["listener"], r["snapshot_date"], r["time_range"], r["artist_rank"],
                r["artist_name"]) for r in rows(specs["top_artists"])}
        want = {(who[lid], str(d), t, k, n) for lid, d, t, k, n in mart(
            built, "select listener_id, snapshot_date, time_range, artist_rank, artist_name "
                   "from analytics.fct_top_artist_snapshots "
                   f"where artist_rank <= {TOP} and listener_id in {shown}")}
        assert top == want and top


@pytest.mark.parametrize("subset", SUBSETS)
def test_report_of_each_subset(subset: str, subset_warehouse: Callable[[str, str], Built],
                               tmp_path: Path):
    """Whatever was loaded, the page renders: a chart for each mart with rows, a line
    in place of each that has none, every number the marts'."""
    built = subset_warehouse("duckdb", subset)
    page = render(built.duckdb_path, tmp_path / "report.html")
    specs = page_specs(page)
    assert set(specs) == SUBSET_CHARTS[subset]
    text = page.read_text(encoding="utf-8")
    for chart in SUBSET_CHARTS["all"] - set(specs):
        assert f'id="{chart}-empty"' in text
    # No external scripts, styles or data: everything the page needs is inside it.
    assert not re.search(r'<script[^>]+src=|<link[^>]+href=|"url"\s*:\s*"http', text)
    check_listener_charts(specs, built, list(built.listener_ids.values()))
    if "new_releases" in specs:
        releases = {(r["release_date"], r["album_type"]): r["albums"]
                    for r in rows(specs["new_releases"])}
        want = {(str(d), t): n for d, t, n in mart(
            built, "select release_date, album_type, sum(albums) "
                   "from analytics.agg_new_releases_daily group by 1, 2")}
        assert releases == want
        listed = mart(built, "select count(*) from spotify.new_releases")[0][0]
        assert sum(releases.values()) == listed


def test_household_report_compares_listeners(household_warehouse: Callable[[str], Built],
                                             tmp_path: Path):
    built = household_warehouse("duckdb")
    specs = page_specs(render(built.duckdb_path, tmp_path / "household.html"))
    assert set(specs) == SUBSET_CHARTS["all"] | COMPARISONS
    check_listener_charts(specs, built, sorted(built.listener_ids.values()))
    who = names(built)

    shared = {(r["pair"], r["artist_name"], r["best_rank"], r["other_best_rank"])
              for r in rows(specs["shared_top_artists"])}
    want = {(f"{who[a]} & {who[b]}", n, r1, r2) for a, b, n, r1, r2 in mart(
        built, "select listener_id, other_listener_id, artist_name, best_rank, "
               "other_best_rank from analytics.agg_shared_top_artists "
               f"where pair_rank <= {SHARED}")}
    assert shared == want and len({p for p, *_ in shared}) == 3

    overlap = {(r["pair"], r["library"], r["shared_items"])
               for r in rows(specs["library_overlap"])}
    want = {(f"{who[a]} & {who[b]}", lib, n) for a, b, lib, n in mart(
        built, "select listener_id, other_listener_id, library, shared_items "
               "from analytics.agg_library_overlap")}
    assert overlap == want and len(overlap) == 3 * 3

    first = {r["listener"]: r["artists"] for r in rows(specs["first_plays"])}
    want = {who[lid]: n for lid, n in mart(
        built, "select listener_id, count(*) from analytics.fct_artist_first_plays "
               "where household_order = 1 and household_listeners > 1 group by 1")}
    assert first == want and sum(first.values()) > 0


def test_report_of_one_listener_of_the_household(household_warehouse: Callable[[str], Built],
                                                 tmp_path: Path):
    built = household_warehouse("duckdb")
    specs = page_specs(render(built.duckdb_path, tmp_path / "alice.html",
                              "--listener", "alice"))
    assert set(specs) == SUBSET_CHARTS["all"]  # no comparison on one listener's page
    check_listener_charts(specs, built, [built.listener_ids["alice"]])


def _chromium_or_skip() -> None:
    if find(CHROMIUM_CANDIDATES, "chromium") is None or find(DRIVER_CANDIDATES,
                                                            "chromedriver") is None:
        pytest.skip("Chromium is not installed: apt-get install -y chromium chromium-driver "
                    "(scripts/test.sh does)")


@pytest.mark.parametrize("page", ["household", "one listener", "catalog only"])
def test_chromium_renders_every_chart(page: str, household_warehouse: Callable[[str], Built],
                                      subset_warehouse: Callable[[str, str], Built],
                                      tmp_path: Path):
    _chromium_or_skip()
    before = hashlib.sha256(SCREENSHOT.read_bytes()).hexdigest()
    if page == "catalog only":
        html = render(subset_warehouse("duckdb", "catalog").duckdb_path, tmp_path / "r.html")
    else:
        extra = ("--listener", "bob") if page == "one listener" else ()
        html = render(household_warehouse("duckdb").duckdb_path, tmp_path / "r.html", *extra)
    shot = tmp_path / "report.png"
    result = open_report(html, screenshot=shot)
    assert result.rendered, "vegaEmbed did not finish rendering every chart"
    assert set(result.charts) == set(page_specs(html))
    for chart_id, found in result.charts.items():
        assert found["svg"] + found["canvas"] >= 1, f"{chart_id}: nothing rendered"
        assert found["marks"] > 0, f"{chart_id}: rendered with no marks"
    errors = [e for e in result.console if e.get("level") == "SEVERE"]
    assert not errors, f"console errors: {errors}"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    # The README's screenshot is the committed one: a test never rewrites it.
    assert hashlib.sha256(SCREENSHOT.read_bytes()).hexdigest() == before
