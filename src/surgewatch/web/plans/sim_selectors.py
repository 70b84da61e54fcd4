"""Reads for the simulation pages: scenarios in scope, and the result JSON arranged for
templates and charts.

Every figure comes from the stored result, which is
:func:`surgewatch.planning.flow.report.flow_json` (or ``comparison_json``) of the
run; this module only picks and labels them. Words and levels follow
``report``: OPEL 1-4 with colours green, amber, red and black (DESIGN.md,
'Band semantics'), always written as well as coloured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet

from surgewatch.planning.flow.report import WORDS, label
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.models import PlanVersion, Scenario, ScenarioVersion

# Fan charts: (key in result['daily'], heading, y-axis unit).
WARD_CHARTS = (
    ("occupancy", "Occupied beds", "beds"),
    ("dta_waiting", "DTA patients waiting in ED", "patients"),
    ("nctr_patients", "NCTR patients in acute beds", "patients"),
    ("bed_days_lost", "Bed days lost to NCTR each day", "bed days"),
)
# Seed 000, Appendix 4: a member at OPEL 3 or 4 makes the system enact that level's
# actions, so the calendar counts the replications at 3 or above.
HIGH_LEVEL = 3
WEEK = 7


def scenarios_of(organisation: Organisation) -> QuerySet[Scenario]:
    """The organisation's scenarios with their version count and last upload, newest first."""
    annotated = Scenario.objects.filter(organisation=organisation).annotate(
        version_count=Count("versions"), updated_at=Max("versions__uploaded_at")
    )
    return annotated.order_by("-updated_at", "title")


def capacity_plans_of(organisation: Organisation) -> QuerySet[PlanVersion]:
    """Plan versions a scenario may build on: those of the organisation with a bed model."""
    versions = PlanVersion.objects.filter(plan__organisation=organisation)
    return (
        versions.filter(kinds__contains="capacity")
        .select_related("plan")
        .order_by("plan__title", "-number")
    )


def scenario_versions_of(organisation: Organisation) -> QuerySet[ScenarioVersion]:
    return (
        ScenarioVersion.objects.filter(scenario__organisation=organisation)
        .select_related("scenario")
        .order_by("scenario__title", "-number")
    )


def runs(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The result's runs with their names: one for a run, A and B for a comparison."""
    if "differences_b_minus_a" in result:
        return [("A", result["a"]), ("B", result["b"])]
    return [("", result)]


def fan_charts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per series: each run's P10, P50 and P90 by day (ward, then service queues)."""
    named = runs(result)
    first = named[0][1]
    keys = [(k, title, unit) for k, title, unit in WARD_CHARTS]
    for key in first["daily"]:
        service, _, measure = key.partition(".")
        if measure == "queue":
            keys.append((key, f"Waiting for {_readable(service)}", "patients"))
    return [
        {
            "id": f"flow-chart-{number}",
            "title": title,
            "unit": unit,
            "dates": first["dates"],
            "runs": [
                {"name": name, "title": run["title"], **run["daily"][key]} for name, run in named
            ],
        }
        for number, (key, title, unit) in enumerate(keys)
    ]


def _readable(service: str) -> str:
    return service.replace("_", " ")


@dataclass(frozen=True)
class WeekRow:
    date: str
    cells: list[float]  # P10, P50, P90 for each run


def weekly_rows(chart: dict[str, Any]) -> list[WeekRow]:
    """The chart's figures on the first day of each week: the table beside the chart."""
    return [
        WeekRow(
            chart["dates"][d],
            [run[band][d] for run in chart["runs"] for band in ("p10", "p50", "p90")],
        )
        for d in range(0, len(chart["dates"]), WEEK)
    ]


@dataclass(frozen=True)
class SummaryRow:
    measure: str
    values: list[dict[str, float | None]]  # mean, low, high for each column


def summary_rows(result: dict[str, Any]) -> list[SummaryRow]:
    """Headline measures with 95% intervals; for a comparison A, B and B - A."""
    if "differences_b_minus_a" not in result:
        return [SummaryRow(label(k), [v]) for k, v in result["summary"].items()]
    a, b = result["a"]["summary"], result["b"]["summary"]
    return [
        SummaryRow(label(k), [a[k], b[k], diff])
        for k, diff in result["differences_b_minus_a"].items()
    ]


@dataclass(frozen=True)
class Day:
    date: dt.date
    level: int  # median predicted level across replications (0: no level)
    words: str
    high_share: float  # share of replications at OPEL 3 or 4


def calendar(run: dict[str, Any]) -> list[list[Day | None]]:
    """The predicted OPEL by day as weeks Monday to Sunday (None pads the first and last)."""
    opel = run.get("opel")
    if not opel:
        return []
    days = [_day(entry) for entry in opel["by_day"]]
    cells: list[Day | None] = [None] * days[0].date.weekday() + list(days)
    cells += [None] * (-len(cells) % WEEK)
    return [cells[i : i + WEEK] for i in range(0, len(cells), WEEK)]


def _day(entry: dict[str, Any]) -> Day:
    shares = entry["share_at_level"]
    high = sum(shares[str(level)] for level in range(HIGH_LEVEL, 5))
    return Day(
        dt.date.fromisoformat(entry["date"]), entry["p50"], WORDS[entry["p50"]], round(high, 4)
    )


def days_at_high_level(run: dict[str, Any]) -> int:
    """Days whose median predicted level is OPEL 3 or 4."""
    opel = run.get("opel") or {"by_day": []}
    return sum(1 for entry in opel["by_day"] if entry["p50"] >= HIGH_LEVEL)
