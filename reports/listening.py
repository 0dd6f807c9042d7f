"""Writes the listening report: ONE self-contained HTML page (Vega-Lite through Altair,
the JavaScript inlined) with charts of the dbt marts in DuckDB.

    python -m reports --database output/warehouse.duckdb --out output/report.html

The page needs no network. Each chart's Vega-Lite spec, its data inlined, sits in the
page as JSON (<script type="application/json" id="report-specs">), keyed by chart id.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import vl_convert as vlc

#: Chart id -> (title, SQL over the marts; `{schema}` is the dbt schema).
QUERIES = {
    "weekday_hour": (
        "When you listen: minutes per weekday and hour (UTC)",
        "select weekday, weekday_name, hour, plays, minutes "
        "from {schema}.listening_weekday_hour order by weekday, hour",
    ),
    "minutes_per_day": (
        "Minutes listened per day",
        "select day, plays, minutes from {schema}.listening_daily order by day",
    ),
    "top_artists": (
        "Top 5 artists over time (rank in each daily snapshot, per time range)",
        "select snapshot_date, time_range, artist_rank, artist_name "
        "from {schema}.top_artists_over_time where artist_rank <= {top} "
        "order by snapshot_date, time_range, artist_rank",
    ),
    "new_releases": (
        "New releases per day, by album type",
        "select release_date, album_type, sum(albums) as albums "
        "from {schema}.new_releases_daily group by release_date, album_type "
        "order by release_date, album_type",
    ),
}
#: Ranks shown in the top artists chart.
TOP = 5
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TIME_RANGES = ["short_term", "medium_term", "long_term"]
#: The Vega-Lite version Altair writes specs for, as vl-convert names it (v6_4).
VL_VERSION = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def read_marts(database: Path, schema: str = "analytics") -> dict[str, list[dict[str, Any]]]:
    """Rows of each chart's query, as JSON-ready dicts."""
    with duckdb.connect(str(database), read_only=True) as con:
        out = {}
        for chart_id, (_title, sql) in QUERIES.items():
            cur = con.execute(sql.format(schema=schema, top=TOP))
            names = [d[0] for d in cur.description]
            out[chart_id] = [dict(zip(names, map(_plain, row), strict=True))
                             for row in cur.fetchall()]
        return out


def build_specs(data: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One Vega-Lite spec per chart, data inlined."""
    width = 640
    heat = alt.Chart(alt.Data(values=data["weekday_hour"])).mark_rect().encode(
        x=alt.X("hour:O", title="Hour of day (UTC)"),
        y=alt.Y("weekday_name:N", sort=WEEKDAYS, title=None),
        color=alt.Color("minutes:Q", title="Minutes", scale=alt.Scale(scheme="greens")),
        tooltip=["weekday_name:N", "hour:O", "plays:Q", "minutes:Q"],
    ).properties(width=width, height=200)
    daily = alt.Chart(alt.Data(values=data["minutes_per_day"])).mark_bar(
        color="#1DB954").encode(
        x=alt.X("day:T", title="Day", timeUnit="utcyearmonthdate"),
        y=alt.Y("minutes:Q", title="Minutes"),
        tooltip=[alt.Tooltip("day:T", timeUnit="utcyearmonthdate"), "plays:Q", "minutes:Q"],
    ).properties(width=width, height=220)
    base = alt.Chart().encode(
        x=alt.X("snapshot_date:O", title="Snapshot"),
        y=alt.Y("artist_rank:Q", title="Rank", axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(reverse=True, domain=[1, TOP])),
        color=alt.Color("artist_name:N", legend=None),
        tooltip=["snapshot_date:O", "time_range:N", "artist_rank:Q", "artist_name:N"],
    )
    top = alt.layer(
        base.mark_line(),
        base.mark_point(filled=True, size=60),
        base.mark_text(align="left", dx=7, fontSize=11).encode(text="artist_name:N"),
        data=alt.Data(values=data["top_artists"]),
    ).properties(width=150, height=220).facet(
        column=alt.Column("time_range:N", sort=TIME_RANGES, title=None))
    releases = alt.Chart(alt.Data(values=data["new_releases"])).mark_bar().encode(
        x=alt.X("release_date:O", title="Release date (month/year-precision dates on the 1st)"),
        y=alt.Y("albums:Q", title="Albums", stack=True),
        color=alt.Color("album_type:N", title="Album type"),
        tooltip=["release_date:O", "album_type:N", "albums:Q"],
    ).properties(width=width, height=220)
    charts = {"weekday_hour": heat, "minutes_per_day": daily, "top_artists": top,
              "new_releases": releases}
    return {chart_id: chart.to_dict() for chart_id, chart in charts.items()}


def headline(data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    days = data["minutes_per_day"]
    top = [r for r in data["top_artists"] if r["time_range"] == "short_term"
           and r["artist_rank"] == 1]
    return {
        "plays": sum(r["plays"] for r in days),
        "minutes": round(sum(r["minutes"] for r in days), 1),
        "days": len(days),
        "top_artist": top[-1]["artist_name"] if top else None,
        "new_releases": sum(r["albums"] for r in data["new_releases"]),
    }


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Spotify listening report</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #191414; }}
  h1 {{ margin-bottom: .2rem; }} .sub {{ color: #555; margin-top: 0; }}
  section {{ margin: 1.5rem 0 2.5rem; }} h2 {{ font-size: 1.1rem; }}
</style>
<script>
// Vega, Vega-Lite and Vega-Embed (vl-convert {vlc_version}), inlined: no network needed.
{bundle}
</script>
</head>
<body>
<h1>Spotify listening report</h1>
<p class="sub">{summary}</p>
{sections}
<script type="application/json" id="report-specs">{specs}</script>
<script>
  const specs = JSON.parse(document.getElementById("report-specs").textContent);
  window.reportRendered = Promise.all(Object.entries(specs).map(
    ([id, spec]) => vegaEmbed("#" + id, spec, {{renderer: "svg", actions: false}})));
  window.reportRendered.then(() => {{ document.body.dataset.rendered = "yes"; }},
                             (err) => {{ console.error(err); }});
</script>
</body>
</html>
"""


def render_html(data: dict[str, list[dict[str, Any]]]) -> str:
    specs = build_specs(data)
    head = headline(data)
    summary = (f"{head['plays']} plays, {head['minutes']} minutes over {head['days']} days; "
               f"{head['new_releases']} new releases listed.")
    sections = "\n".join(
        f'<section><h2>{html.escape(title)}</h2><div id="{chart_id}"></div></section>'
        for chart_id, (title, _sql) in QUERIES.items())
    # "</" cannot end the JSON script element early: escape every slash after "<".
    specs_json = json.dumps(specs, separators=(",", ":")).replace("</", "<\\/")
    return PAGE.format(
        vlc_version=vlc.__version__,  # type: ignore[attr-defined]  # stubs lag the module
        bundle=vlc.javascript_bundle(vl_version=VL_VERSION),  # type: ignore[call-arg]
        summary=html.escape(summary), sections=sections, specs=specs_json)


def write_report(database: Path, out: Path, schema: str = "analytics") -> dict[str, Any]:
    data = read_marts(database, schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data), encoding="utf-8")
    return headline(data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports", description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, default=Path("output/warehouse.duckdb"),
                        help="DuckDB file the dbt project built (default: %(default)s)")
    parser.add_argument("--schema", default="analytics",
                        help="schema of the dbt models (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("output/report.html"),
                        help="HTML file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"{args.database} does not exist: load it and run dbt first")
    head = write_report(args.database, args.out, args.schema)
    print(f"Report: {args.out.resolve()}")
    print(json.dumps(head))
    return 0
