"""Reads for the plan pages: plans in scope, a version and its parts, and the page figures.

Every figure comes from :mod:`surgewatch.planning` (the same functions the
``surgewatch plan`` command calls); this module only arranges them for templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet

from surgewatch.planning.costs import CostReport, cost_plan
from surgewatch.planning.demand import DemandForecast, forecast_demand
from surgewatch.planning.gap import GapResult, analyse_gap
from surgewatch.planning.months import label
from surgewatch.planning.risks import RegisterReport, assess_register, rating
from surgewatch.planning.tables import plain, signed
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.documents import PlanDocuments, parse_plan_file
from surgewatch.web.plans.models import Plan, PlanVersion
from surgewatch.web.plans.services import TYPED_FILENAME

SIGN_NOTE = "Negative gap or residual is a deficit of beds."


def plans_of(organisation: Organisation) -> QuerySet[Plan]:
    """The organisation's plans with their version count and last upload, newest first."""
    annotated = Plan.objects.filter(organisation=organisation).annotate(
        version_count=Count("versions"), updated_at=Max("versions__uploaded_at")
    )
    return annotated.order_by("-updated_at", "title")


def documents_of(version: PlanVersion) -> PlanDocuments:
    """The stored file, parsed again by the planning core (it validated when stored)."""
    return parse_plan_file(version.yaml_text, version.filename or TYPED_FILENAME)


@dataclass(frozen=True)
class GapRow:
    name: str
    provider: str
    unit: str
    cells: list[str]
    kind: str  # gap, scheme, mitigation or residual


def gap_rows(result: GapResult) -> list[GapRow]:
    """Seed 002's layout, formatted as ``surgewatch plan gap`` prints it (signed gap/residual)."""
    rows = [GapRow("Gap before mitigation", "", "", [signed(v) for v in result.gap], "gap")]
    rows += [
        GapRow(
            s.name,
            s.provider,
            f"{s.unit} {plain(s.ratio)}:1",
            list(map(plain, s.acute_equivalent)),
            "scheme",
        )
        for s in result.schemes
    ]
    rows.append(
        GapRow("Total mitigation", "", "acute", list(map(plain, result.mitigation)), "mitigation")
    )
    rows.append(GapRow("Residual", "", "acute", [signed(v) for v in result.residual], "residual"))
    return rows


def gap_chart(result: GapResult) -> dict[str, Any]:
    """Data for the gap vs mitigation chart (the same figures as the table)."""
    return {
        "labels": [label(m) for m in result.months],
        "gap": list(result.gap),
        "mitigation": list(result.mitigation),
        "residual": list(result.residual),
    }


def gap_figures(documents: PlanDocuments) -> GapResult | None:
    return analyse_gap(documents.capacity) if documents.capacity else None


def cost_figures(documents: PlanDocuments) -> CostReport | None:
    return cost_plan(documents.costs) if documents.costs else None


def demand_figures(documents: PlanDocuments) -> DemandForecast | None:
    return forecast_demand(documents.demand) if documents.demand else None


def risk_figures(documents: PlanDocuments, today: dt.date) -> RegisterReport | None:
    return assess_register(documents.risks, today) if documents.risks else None


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    count: int
    score: int
    band: str
    band_index: int


def heat_rows(documents: PlanDocuments, report: RegisterReport) -> list[tuple[int, list[HeatCell]]]:
    """The 5x5 map with impact 5 at the top; each cell its count, score and band in words."""
    assert documents.risks is not None
    bands = documents.risks.bands
    order = [b.name for b in sorted(bands, key=lambda b: b.minimum)]
    rows = []
    for impact in range(5, 0, -1):
        cells = []
        for likelihood in range(1, 6):
            band = rating(bands, impact * likelihood)
            index = order.index(band) if band in order else -1
            count = report.heat_map[impact - 1][likelihood - 1]
            cells.append(HeatCell(likelihood, count, impact * likelihood, band, index))
        rows.append((impact, cells))
    return rows


def uncertainty_chart(area: dict[str, Any]) -> dict[str, Any]:
    """Fan chart data for one area of :func:`report.uncertainty_json`."""
    months = area["months"]
    return {
        "name": area["name"],
        "labels": [label(m["month"]) for m in months],
        "p10": [m["occupancy"]["p10"] for m in months],
        "p50": [m["occupancy"]["p50"] for m in months],
        "p90": [m["occupancy"]["p90"] for m in months],
        "capacity": [m["capacity"] for m in months],
    }
