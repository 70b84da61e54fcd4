"""Flow results as JSON-ready data, terminal tables and a standalone HTML page."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
from rich.table import Table

from surgewatch.planning.flow.api import ComparisonReport, FlowReport
from surgewatch.planning.flow.opel import OpelForecast
from surgewatch.planning.flow.run import Estimate, FlowResult, daily_percentiles

DAILY_SERIES = ("occupancy", "dta_waiting", "nctr_patients", "bed_days_lost")
LABELS = {
    "mean_occupancy": "Mean occupied beds",
    "peak_occupancy": "Peak occupied beds",
    "mean_dta_waiting": "Mean DTA patients waiting in ED",
    "peak_dta_waiting": "Peak DTA patients waiting in ED",
    "mean_dta_wait_hours": "Mean DTA wait (hours, patients who waited)",
    "mean_nctr_patients": "Mean NCTR patients in acute beds",
    "bed_days_lost": "Bed days lost to NCTR (period)",
    "share_finding_ward_full": "Share of arrivals finding the ward full",
    "diverted": "Arrivals diverted (ward full)",
    "avoided": "Admissions avoided",
    "virtual_ward_admissions": "Virtual ward admissions",
    "days_at_opel_3_or_4": "Days at predicted OPEL 3 or 4",
}
COLOURS = {0: "#d8dde0", 1: "#007f3b", 2: "#ffb81c", 3: "#d5281b", 4: "#212b32"}
WORDS = {0: "no level", 1: "OPEL 1", 2: "OPEL 2", 3: "OPEL 3", 4: "OPEL 4"}


def label(metric: str) -> str:
    """Readable name of a headline measure (service measures as 'service: queue')."""
    if metric in LABELS:
        return LABELS[metric]
    service, _, what = metric.partition(".")
    return f"{service}: {what.removeprefix('mean_').replace('_', ' ')} (mean)"


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def estimate_json(e: Estimate) -> dict[str, float | None]:
    return {"mean": _num(e.mean), "low": _num(e.low), "high": _num(e.high)}


def flow_json(report: FlowReport) -> dict[str, Any]:
    """Summary with 95% intervals, daily P10/P50/P90 per series, predicted OPEL by day."""
    r = report.result
    dates = [d.isoformat() for d in r.dates()]
    daily: dict[str, Any] = {k: _bands(r.ward[k]) for k in DAILY_SERIES}
    for s, name in enumerate(r.service_names):
        daily[f"{name}.queue"] = _bands(r.services["queue"][:, s])
        daily[f"{name}.in_service"] = _bands(r.services["in_service"][:, s])
    return {
        "title": r.title,
        "illustrative": report.scenario.scenario.illustrative,
        "seed": r.seed,
        "replications": r.replications,
        "start": r.start.isoformat(),
        "days": r.days,
        "patients_simulated": r.patients,
        "summary": {k: estimate_json(v) for k, v in report.summary.items()},
        "dates": dates,
        "daily": daily,
        "opel": opel_json(report.opel, dates) if report.opel else None,
    }


def _bands(series: np.ndarray) -> dict[str, list[float]]:
    p10, p50, p90 = daily_percentiles(series)
    return {
        "p10": p10.round(2).tolist(),
        "p50": p50.round(2).tolist(),
        "p90": p90.round(2).tolist(),
    }


def opel_json(opel: OpelForecast, dates: list[str]) -> dict[str, Any]:
    """Predicted organisation level by day: percentiles and the share at each level."""
    pct = opel.percentiles()
    shares = opel.share_at_level()
    return {
        "pack": opel.pack_id,
        "pack_version": opel.pack_version,
        "pack_illustrative": opel.illustrative,
        "indicators": [
            {"indicator": f.indicator, "area": f.area, "measure": f.measure, "service": f.service}
            for f in opel.feeds
        ],
        "by_day": [
            {
                "date": date,
                "p10": int(pct[0, d]),
                "p50": int(pct[1, d]),
                "p90": int(pct[2, d]),
                "share_at_level": {
                    str(lvl): round(float(shares[lvl - 1, d]), 4) for lvl in (1, 2, 3, 4)
                },
            }
            for d, date in enumerate(dates)
        ],
    }


def comparison_json(report: ComparisonReport) -> dict[str, Any]:
    """Both runs and the paired differences B - A with 95% intervals."""
    return {
        "a": flow_json(report.a),
        "b": flow_json(report.b),
        "differences_b_minus_a": {k: estimate_json(v) for k, v in report.differences.items()},
    }


def _fmt(e: Estimate) -> tuple[str, str]:
    if math.isnan(e.low):
        return f"{e.mean:,.2f}", "-"
    return f"{e.mean:,.2f}", f"{e.low:,.2f} to {e.high:,.2f}"


def summary_table(report: FlowReport) -> Table:
    """Headline measures with their 95% confidence intervals."""
    r = report.result
    table = Table(title=f"{r.title}: {r.replications} replications, seed {r.seed}")
    table.add_column("Measure")
    table.add_column("Mean", justify="right")
    table.add_column("95% interval", justify="right")
    for key, value in report.summary.items():
        table.add_row(label(key), *_fmt(value))
    return table


def weekly_table(report: FlowReport) -> Table:
    """Week by week: median occupancy, P90 DTA waiting, median NCTR, predicted OPEL."""
    r = report.result
    table = Table(title="By week (median of daily values across replications; P90 where shown)")
    for heading in (
        "Week from",
        "Occupied beds",
        "DTA waiting P90",
        "NCTR patients",
        "OPEL median",
        "OPEL 3+ share",
    ):
        table.add_column(heading, justify="left" if heading == "Week from" else "right")
    dates = r.dates()
    for start in range(0, r.days, 7):
        days = slice(start, start + 7)
        level, high = _week_opel(report.opel, days)
        table.add_row(
            dates[start].isoformat(),
            f"{np.median(r.ward['occupancy'][:, days]):.0f}",
            f"{np.percentile(r.ward['dta_waiting'][:, days], 90):.0f}",
            f"{np.median(r.ward['nctr_patients'][:, days]):.0f}",
            level,
            high,
        )
    return table


def _week_opel(opel: OpelForecast | None, days: slice) -> tuple[str, str]:
    if opel is None:
        return "-", "-"
    levels = opel.organisation[:, days]
    return f"{np.median(levels):.0f}", f"{(levels >= 3).mean():.0%}"


def flow_tables(report: FlowReport) -> list[Any]:
    notes = []
    if report.scenario.scenario.illustrative:
        notes.append("ILLUSTRATIVE scenario: figures marked illustrative in the file are invented.")
    if report.opel is not None:
        notes.append(
            f"Predicted OPEL: the suggested level of pack {report.opel.pack_id} "
            f"v{report.opel.pack_version} from each day's census; no hold or declaration."
        )
    return [summary_table(report), weekly_table(report), *notes]


def comparison_tables(report: ComparisonReport) -> list[Any]:
    """A, B and B - A on the same random streams (paired 95% intervals)."""
    a, b = report.a.result, report.b.result
    table = Table(
        title=f"B - A on common random numbers: {a.replications} replications, seed {a.seed}"
    )
    for heading in ("Measure", "A", "B", "B - A", "95% interval of B - A"):
        table.add_column(heading, justify="left" if heading == "Measure" else "right")
    for key, diff in report.differences.items():
        table.add_row(
            label(key),
            _fmt(report.a.summary[key])[0],
            _fmt(report.b.summary[key])[0],
            *_fmt(diff),
        )
    return [f"A: {a.title}", f"B: {b.title}", table]


def flow_html(report: FlowReport, comparison: ComparisonReport | None = None) -> str:
    """A standalone page: headline table, weekly fan figures and the OPEL calendar."""
    r = report.result
    title = "Scenario comparison (common random numbers)" if comparison else r.title
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:Arial,sans-serif;margin:2em;color:#212b32}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d8dde0;"
        "padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
        ".cal td{width:6.5em;text-align:center;color:#fff}.cal td.dark,.cal td.blank"
        "{color:#212b32}.cal th{text-align:center}</style>",
        f"</head><body><h1>{html.escape(title)}</h1>",
        f"<p>{r.replications} replications, seed {r.seed}, {r.days} days from {r.start}.</p>",
    ]
    if report.scenario.scenario.illustrative:
        parts.append(
            "<p><strong>Illustrative scenario:</strong> figures marked illustrative in the file "
            "are invented.</p>"
        )
    if comparison is not None:
        parts.append(_html_comparison(comparison))
        runs = [("A", comparison.a), ("B", comparison.b)]
    else:
        parts.append(_html_summary(report))
        runs = [("", report)]
    for name, run in runs:
        if run.opel is not None:
            parts.append(_html_calendar(run.opel, run.result, name))
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_summary(report: FlowReport) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(label(k))}</td><td>{_fmt(v)[0]}</td><td>{_fmt(v)[1]}</td></tr>"
        for k, v in report.summary.items()
    )
    return (
        "<h2>Summary</h2><table><tr><th>Measure</th><th>Mean</th><th>95% interval</th></tr>"
        f"{rows}</table>"
    )


def _html_comparison(report: ComparisonReport) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(label(k))}</td><td>{_fmt(report.a.summary[k])[0]}</td>"
        f"<td>{_fmt(report.b.summary[k])[0]}</td><td>{_fmt(d)[0]}</td><td>{_fmt(d)[1]}</td></tr>"
        for k, d in report.differences.items()
    )
    return (
        f"<h2>Comparison</h2><p>A: {html.escape(report.a.result.title)}<br>"
        f"B: {html.escape(report.b.result.title)}</p><table><tr><th>Measure</th><th>A</th>"
        f"<th>B</th><th>B - A</th><th>95% interval of B - A</th></tr>{rows}</table>"
    )


def _html_calendar(opel: OpelForecast, r: FlowResult, name: str = "") -> str:
    """Median predicted level per day, Monday to Sunday rows; the level is written, not only
    coloured, with the share of replications at OPEL 3 or 4 under it."""
    pct = opel.percentiles()
    high = (opel.organisation >= 3).mean(axis=0)
    dates = r.dates()
    cells = ["<td class='blank'></td>"] * dates[0].weekday()
    for d, date in enumerate(dates):
        level = int(pct[1, d])
        dark = " class='dark'" if level in (0, 2) else ""
        cells.append(
            f"<td style='background:{COLOURS[level]}'{dark}>{date:%a %d %b}<br>"
            f"<strong>{WORDS[level]}</strong><br>{high[d]:.0%} at 3+</td>"
        )
    rows = "".join("<tr>" + "".join(cells[i : i + 7]) + "</tr>" for i in range(0, len(cells), 7))
    heading = "".join(
        f"<th>{day}</th>" for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    )
    who = f"{name}: {html.escape(r.title)}. " if name else ""
    return (
        f"<h2>{who}Predicted OPEL by day</h2><p>Median level across {r.replications} "
        f"replications and the share of replications at OPEL 3 or 4; pack "
        f"{html.escape(opel.pack_id)} v{html.escape(opel.pack_version)}, suggested level from "
        f"each day's census (no hold or declaration).</p>"
        f"<table class='cal'><tr>{heading}</tr>{rows}</table>"
    )
