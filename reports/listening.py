"""Writes the listening report: ONE self-contained HTML page (Vega-Lite through Altair,
the JavaScript inlined) with charts of the dbt marts in DuckDB.

    python -m reports --database output/warehouse.duckdb --out output/report.html
    python -m reports --listener alice          # one listener of a household
    python -m reports --screenshot docs/report.png   # also a PNG, through headless Chromium

With one listener in the warehouse (or --listener), the page is theirs: when they listen
(weekday x hour and days in their own time zone), their top artists over time. With
several, it shows each of them side by side and compares them: the top artists they
share, how much their libraries overlap, who played an artist first. The catalog's new
releases belong to no listener. A chart whose marts are empty (a stream never loaded) is
left out with a line saying so.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import vl_convert as vlc

#: Ranks shown in the top artists chart, and shared artists shown per pair of listeners.
TOP = 5
SHARED = 10
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TIME_RANGES = ["short_term", "medium_term", "long_term"]
LIBRARIES = ["saved_tracks", "saved_albums", "followed_artists"]
#: The Vega-Lite version Altair writes specs for, as vl-convert names it (v6_4).
VL_VERSION = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
WIDTH = 640

#: Chart id -> SQL over the marts: `{schema}` is the dbt schema, `{listeners}` the
#: listeners shown (a `?` list). Names come from dim_listeners.
QUERIES = {
    "weekday_hour": (
        "select l.display_name as listener, l.time_zone, g.local_weekday as weekday, "
        "g.weekday_name, g.local_hour as hour, g.plays, g.minutes "
        "from {schema}.agg_listening_weekday_hour as g "
        "join {schema}.dim_listeners as l using (listener_id) "
        "where g.listener_id in ({listeners}) "
        "and g.listener_id in (select listener_id from {schema}.fct_plays) "
        "order by listener, weekday, hour"
    ),
    "minutes_per_day": (
        "select l.display_name as listener, d.played_on as day, d.plays, d.minutes "
        "from {schema}.agg_listening_daily as d "
        "join {schema}.dim_listeners as l using (listener_id) "
        "where d.listener_id in ({listeners}) order by listener, day"
    ),
    "top_artists": (
        "select l.display_name as listener, t.snapshot_date, t.time_range, t.artist_rank, "
        "t.artist_name from {schema}.fct_top_artist_snapshots as t "
        "join {schema}.dim_listeners as l using (listener_id) "
        f"where t.listener_id in ({{listeners}}) and t.artist_rank <= {TOP} "
        "order by listener, t.snapshot_date, t.time_range, t.artist_rank"
    ),
    "shared_top_artists": (
        "select a.display_name || ' & ' || b.display_name as pair, s.artist_name, "
        "s.best_rank, s.other_best_rank, s.pair_rank "
        "from {schema}.agg_shared_top_artists as s "
        "join {schema}.dim_listeners as a on a.listener_id = s.listener_id "
        "join {schema}.dim_listeners as b on b.listener_id = s.other_listener_id "
        "where s.listener_id in ({listeners}) and s.other_listener_id in ({listeners}) "
        f"and s.pair_rank <= {SHARED} order by pair, s.pair_rank"
    ),
    "library_overlap": (
        "select a.display_name || ' & ' || b.display_name as pair, o.library, o.items, "
        "o.other_items, o.shared_items, o.jaccard "
        "from {schema}.agg_library_overlap as o "
        "join {schema}.dim_listeners as a on a.listener_id = o.listener_id "
        "join {schema}.dim_listeners as b on b.listener_id = o.other_listener_id "
        "where o.listener_id in ({listeners}) and o.other_listener_id in ({listeners}) "
        "and o.items + o.other_items > 0 order by pair, o.library"
    ),
    "first_plays": (
        "select l.display_name as listener, count(*) as artists "
        "from {schema}.fct_artist_first_plays as f "
        "join {schema}.dim_listeners as l using (listener_id) "
        "where f.listener_id in ({listeners}) and f.household_order = 1 "
        "and f.household_listeners > 1 group by l.display_name order by listener"
    ),
    "new_releases": (
        "select release_date, album_type, sum(albums) as albums "
        "from {schema}.agg_new_releases_daily group by release_date, album_type "
        "order by release_date, album_type"
    ),
}
#: Charts that compare listeners: only on a page of two or more.
COMPARISONS = ("shared_top_artists", "library_overlap", "first_plays")
#: What a chart shows; the weekday x hour title names the time zones.
TITLES = {
    "weekday_hour": "When {who} listen: minutes per weekday and hour ({zones})",
    "minutes_per_day": "Minutes listened per day ({zones})",
    "top_artists": f"Top {TOP} artists over time (rank in each daily snapshot, per time range)",
    "shared_top_artists": f"Top artists they share (latest snapshots, up to {SHARED} a pair; "
                          "dot size: the better of the two ranks)",
    "library_overlap": "How much their libraries overlap: items both have",
    "first_plays": "Who played an artist first (artists two or more of them played)",
    "new_releases": "New releases per day, by album type",
}
#: Shown in place of a chart with no data.
EMPTY = {
    "weekday_hour": "No plays loaded (streaming_history or recently_played).",
    "minutes_per_day": "No plays loaded (streaming_history or recently_played).",
    "top_artists": "No top artists loaded (top_artists).",
    "shared_top_artists": "No top artists in common.",
    "library_overlap": "No saved tracks, saved albums or followed artists loaded.",
    "first_plays": "No artist that two of them played.",
    "new_releases": "No new releases loaded (new_releases).",
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


@dataclass
class Listener:
    listener_id: str
    display_name: str
    time_zone: str


@dataclass
class ReportData:
    listeners: list[Listener]
    charts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def household(self) -> bool:
        return len(self.listeners) > 1


class UnknownListener(ValueError):
    pass


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ?", [schema, table]).fetchone()[0])  # type: ignore[index]


def read_marts(database: Path, schema: str = "analytics",
               listener: str | None = None) -> ReportData:
    """The listeners shown (every one, or `listener`) and each chart's rows."""
    with duckdb.connect(str(database), read_only=True) as con:
        if not _has_table(con, schema, "dim_listeners"):
            raise FileNotFoundError(f"{database} has no {schema}.dim_listeners: run dbt first")
        listeners = [Listener(*row) for row in con.execute(
            f"select listener_id, display_name, time_zone from {schema}.dim_listeners "
            "order by display_name, listener_id").fetchall()]
        if listener is not None:
            listeners = [li for li in listeners if listener in (li.listener_id,
                                                                li.display_name)]
            if not listeners:
                raise UnknownListener(f"no listener {listener!r} in {schema}.dim_listeners")
        data = ReportData(listeners)
        ids: list[str | None] = [li.listener_id for li in listeners] or [None]
        marks = ", ".join("?" for _ in ids)
        for chart_id, sql in QUERIES.items():
            if chart_id in COMPARISONS and not data.household:
                continue
            query = sql.format(schema=schema, listeners=marks)
            cur = con.execute(query, ids * sql.count("{listeners}"))
            names = [d[0] for d in cur.description]
            data.charts[chart_id] = [dict(zip(names, map(_plain, row), strict=True))
                                     for row in cur.fetchall()]
        return data


def _listener_row(chart: alt.Chart, data: ReportData) -> alt.Chart | alt.FacetChart:
    """A chart per listener, one under the other, on a household's page."""
    if not data.household:
        return chart
    return chart.facet(row=alt.Row("listener:N", title=None,
                                   header=alt.Header(labelAngle=0, labelAlign="left")))


def build_specs(data: ReportData) -> dict[str, dict[str, Any]]:
    """One Vega-Lite spec per chart that has data, data inlined."""
    rows = data.charts
    charts: dict[str, Any] = {}
    if rows.get("weekday_hour"):
        heat = alt.Chart(alt.Data(values=rows["weekday_hour"])).mark_rect().encode(
            x=alt.X("hour:O", title="Hour of day (the listener's own time zone)"),
            y=alt.Y("weekday_name:N", sort=WEEKDAYS, title=None),
            color=alt.Color("minutes:Q", title="Minutes", scale=alt.Scale(scheme="greens")),
            tooltip=["listener:N", "time_zone:N", "weekday_name:N", "hour:O", "plays:Q",
                     "minutes:Q"],
        ).properties(width=WIDTH, height=180)
        charts["weekday_hour"] = _listener_row(heat, data)
    if rows.get("minutes_per_day"):
        charts["minutes_per_day"] = alt.Chart(alt.Data(values=rows["minutes_per_day"])).mark_bar(
        ).encode(
            x=alt.X("day:T", title="Day", timeUnit="utcyearmonthdate"),
            y=alt.Y("minutes:Q", title="Minutes", stack=True),
            color=alt.Color("listener:N", title="Listener",
                            scale=alt.Scale(range=["#1DB954", "#535BF2", "#E8115B",
                                                   "#F59B23", "#8D67AB"])),
            tooltip=["listener:N", alt.Tooltip("day:T", timeUnit="utcyearmonthdate"),
                     "plays:Q", "minutes:Q"],
        ).properties(width=WIDTH, height=220)
    if rows.get("top_artists"):
        base = alt.Chart().encode(
            x=alt.X("snapshot_date:O", title="Snapshot"),
            y=alt.Y("artist_rank:Q", title="Rank", axis=alt.Axis(tickMinStep=1),
                    scale=alt.Scale(reverse=True, domain=[1, TOP])),
            color=alt.Color("artist_name:N", legend=None),
            tooltip=["listener:N", "snapshot_date:O", "time_range:N", "artist_rank:Q",
                     "artist_name:N"],
        )
        layers = alt.layer(
            base.mark_line(),
            base.mark_point(filled=True, size=60),
            base.mark_text(align="left", dx=7, fontSize=11).encode(text="artist_name:N"),
            data=alt.Data(values=rows["top_artists"]),
        ).properties(width=150, height=180)
        column = alt.Column("time_range:N", sort=TIME_RANGES, title=None)
        charts["top_artists"] = (layers.facet(row=alt.Row("listener:N", title=None),
                                              column=column)
                                 if data.household else layers.facet(column=column))
    if rows.get("shared_top_artists"):
        charts["shared_top_artists"] = alt.Chart(
            alt.Data(values=rows["shared_top_artists"])).mark_circle(color="#1DB954").encode(
            x=alt.X("pair:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("artist_name:N", title=None, sort=alt.EncodingSortField(
                "pair_rank", op="min")),
            size=alt.Size("best:Q", title="Better rank", scale=alt.Scale(reverse=True)),
            tooltip=["pair:N", "artist_name:N", "best_rank:Q", "other_best_rank:Q"],
        ).transform_calculate(best="min(datum.best_rank, datum.other_best_rank)").properties(
            width=WIDTH)
    if rows.get("library_overlap"):
        charts["library_overlap"] = alt.Chart(
            alt.Data(values=rows["library_overlap"])).mark_bar().encode(
            x=alt.X("shared_items:Q", title="Items both have"),
            y=alt.Y("pair:N", title=None),
            color=alt.Color("library:N", sort=LIBRARIES, title="Library"),
            yOffset=alt.YOffset("library:N", sort=LIBRARIES),
            tooltip=["pair:N", "library:N", "items:Q", "other_items:Q", "shared_items:Q",
                     alt.Tooltip("jaccard:Q", format=".1%")],
        ).properties(width=WIDTH)
    if rows.get("first_plays"):
        charts["first_plays"] = alt.Chart(alt.Data(values=rows["first_plays"])).mark_bar(
            color="#535BF2").encode(
            x=alt.X("artists:Q", title="Artists they played before the others"),
            y=alt.Y("listener:N", title=None),
            tooltip=["listener:N", "artists:Q"],
        ).properties(width=WIDTH)
    if rows.get("new_releases"):
        charts["new_releases"] = alt.Chart(alt.Data(values=rows["new_releases"])).mark_bar(
        ).encode(
            x=alt.X("release_date:O",
                    title="Release date (month/year-precision dates on the 1st)"),
            y=alt.Y("albums:Q", title="Albums", stack=True),
            color=alt.Color("album_type:N", title="Album type"),
            tooltip=["release_date:O", "album_type:N", "albums:Q"],
        ).properties(width=WIDTH, height=220)
    return {chart_id: chart.to_dict() for chart_id, chart in charts.items()}


def headline(data: ReportData) -> dict[str, Any]:
    """The page's figures, and each listener's."""
    days = data.charts.get("minutes_per_day", [])
    tops = data.charts.get("top_artists", [])
    per_listener = []
    for li in data.listeners:
        mine = [r for r in days if r["listener"] == li.display_name]
        top = [r for r in tops if r["listener"] == li.display_name
               and r["time_range"] == "short_term" and r["artist_rank"] == 1]
        per_listener.append({
            "listener_id": li.listener_id, "display_name": li.display_name,
            "time_zone": li.time_zone, "plays": sum(r["plays"] for r in mine),
            "minutes": round(sum(r["minutes"] for r in mine), 1), "days": len(mine),
            "top_artist": top[-1]["artist_name"] if top else None})
    return {
        "listeners": per_listener,
        "plays": sum(r["plays"] for r in days),
        "minutes": round(sum(r["minutes"] for r in days), 1),
        "new_releases": sum(r["albums"] for r in data.charts.get("new_releases", [])),
    }


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #191414; }}
  h1 {{ margin-bottom: .2rem; }} .sub {{ color: #555; margin-top: 0; }}
  section {{ margin: 1.5rem 0 2.5rem; }} h2 {{ font-size: 1.1rem; }}
  table {{ border-collapse: collapse; }} .empty {{ color: #777; font-style: italic; }}
  th, td {{ padding: .2rem .8rem; text-align: left; border-bottom: 1px solid #ddd; }}
  td.n {{ text-align: right; }}
</style>
<script>
// Vega, Vega-Lite and Vega-Embed (vl-convert {vlc_version}), inlined: no network needed.
{bundle}
</script>
</head>
<body>
<h1>{title}</h1>
<p class="sub">{summary}</p>
{listeners}
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


def _listener_table(head: dict[str, Any]) -> str:
    if not head["listeners"]:
        return '<p class="empty">No listener loaded: the catalog only.</p>'
    cells = "".join(
        f"<tr><td>{html.escape(li['display_name'])}</td>"
        f"<td>{html.escape(li['time_zone'])}</td><td class=\"n\">{li['plays']}</td>"
        f"<td class=\"n\">{li['minutes']}</td><td class=\"n\">{li['days']}</td>"
        f"<td>{html.escape(li['top_artist'] or '')}</td></tr>"
        for li in head["listeners"])
    return ('<table id="listeners"><tr><th>Listener</th><th>Time zone</th><th>Plays</th>'
            "<th>Minutes</th><th>Days</th><th>Top artist (short term)</th></tr>"
            f"{cells}</table>")


def render_html(data: ReportData) -> str:
    specs = build_specs(data)
    head = headline(data)
    who = (data.listeners[0].display_name if len(data.listeners) == 1
           else "the household" if data.household else "nobody")
    zones = ", ".join(sorted({li.time_zone for li in data.listeners})) or "UTC"
    title = f"Spotify listening report: {who}"
    summary = (f"{head['plays']} plays, {head['minutes']} minutes; "
               f"{head['new_releases']} new releases listed.")
    sections = []
    for chart_id in QUERIES:
        if chart_id not in data.charts:
            continue  # a comparison on a one-listener page
        heading = TITLES[chart_id].format(who="they" if data.household else "you",
                                          zones=zones)
        body = (f'<div id="{chart_id}"></div>' if chart_id in specs
                else f'<p class="empty" id="{chart_id}-empty">{html.escape(EMPTY[chart_id])}</p>')
        sections.append(f"<section><h2>{html.escape(heading)}</h2>{body}</section>")
    # "</" cannot end the JSON script element early: escape every slash after "<".
    specs_json = json.dumps(specs, separators=(",", ":")).replace("</", "<\\/")
    return PAGE.format(
        title=html.escape(title),
        vlc_version=vlc.__version__,  # type: ignore[attr-defined]  # stubs lag the module
        bundle=vlc.javascript_bundle(vl_version=VL_VERSION),  # type: ignore[call-arg]
        summary=html.escape(summary), listeners=_listener_table(head),
        sections="\n".join(sections), specs=specs_json)


def write_report(database: Path, out: Path, schema: str = "analytics",
                 listener: str | None = None) -> dict[str, Any]:
    data = read_marts(database, schema, listener)
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
    parser.add_argument("--listener", help="one listener's page (listener_id or display "
                        "name); default: every listener, compared")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="also render the page in headless Chromium and save a PNG "
                        "(e.g. docs/report.png)")
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"{args.database} does not exist: load it and run dbt first")
    try:
        head = write_report(args.database, args.out, args.schema, args.listener)
    except (FileNotFoundError, UnknownListener) as exc:
        parser.error(str(exc))
    print(f"Report: {args.out.resolve()}")
    print(json.dumps(head))
    if args.screenshot is not None:
        from reports.browser import open_report

        result = open_report(args.out, screenshot=args.screenshot)
        if not result.rendered:
            parser.exit(1, "python -m reports: Chromium did not render every chart\n")
        print(f"Screenshot: {args.screenshot.resolve()}")
    return 0
