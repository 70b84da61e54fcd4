"""Planning results as plain JSON-ready data (for ``--format json`` and the web API)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from surgewatch.planning.costs import CostReport
    from surgewatch.planning.demand import DemandForecast
    from surgewatch.planning.gap import GapResult
    from surgewatch.planning.risks import RegisterReport
    from surgewatch.planning.uncertainty import UncertaintyResult


def number(value: float) -> int | float:
    """Whole numbers as ints (``9`` not ``9.0``); everything else unrounded."""
    return int(value) if float(value).is_integer() else float(value)


def numbers(values: Iterable[float]) -> list[int | float]:
    """:func:`number` over a series."""
    return [number(v) for v in values]


def gap_json(result: GapResult) -> dict[str, Any]:
    """The issue's JSON shape: months, gap, schemes, mitigation, residual."""
    return {
        "months": list(result.months),
        "gap": numbers(result.gap),
        "schemes": [
            {"name": s.name, "unit": s.unit, "acute_equivalent": numbers(s.acute_equivalent)}
            for s in result.schemes
        ],
        "mitigation": numbers(result.mitigation),
        "residual": numbers(result.residual),
    }


def money(value: Decimal) -> int | float:
    """Whole pounds as ints, pence as floats (2 places)."""
    return int(value) if value == value.to_integral_value() else float(round(value, 2))


def costs_json(result: CostReport) -> dict[str, Any]:
    """Lines, group totals, funding positions and mismatches against printed figures."""
    return {
        "title": result.title,
        "currency": result.currency,
        "lines": [
            {
                "name": x.name,
                "group": x.group,
                "amount": money(x.amount),
                "basis": x.basis,
                "funding_source": x.funding_source,
            }
            for x in result.lines
        ],
        "groups": [{"name": g.name, "total": money(g.total)} for g in result.groups],
        "funding": [
            {
                "name": f.name,
                "amount": money(f.amount),
                "committed": money(f.committed),
                "available": money(f.available),
                "allocated": money(f.allocated),
                "remaining": money(f.remaining),
            }
            for f in result.funding
        ],
        "unfunded": money(result.unfunded),
        "total": money(result.total),
        "mismatches": list(result.mismatches),
    }


def uncertainty_json(result: UncertaintyResult) -> dict[str, Any]:
    """Per area and month: capacity, P10/P50/P90 occupancy and residual, over-capacity odds."""
    return {
        "title": result.title,
        "replications": result.replications,
        "seed": result.seed,
        "areas": [
            {
                "name": area.name,
                "expected_days_over_capacity": area.expected_days_over,
                "months": [
                    {
                        "month": m.month,
                        "capacity": m.capacity,
                        "occupancy": dict(zip(("p10", "p50", "p90"), m.occupancy, strict=True)),
                        "residual": dict(zip(("p10", "p50", "p90"), m.residual, strict=True)),
                        "p_over_capacity": m.p_over_capacity,
                        "expected_days_over_capacity": m.expected_days_over,
                    }
                    for m in area.months
                ],
            }
            for area in result.areas
        ],
    }


def risks_json(result: RegisterReport) -> dict[str, Any]:
    """Risk statuses, overdue reviews and the residual heat map (impact rows 1-5)."""
    return {
        "title": result.title,
        "today": result.today.isoformat(),
        "risks": [
            {
                "title": r.title,
                "owner": r.owner,
                "inherent": r.inherent,
                "residual": r.residual,
                "target": r.target,
                "rating": r.rating,
                "review_date": r.review_date.isoformat(),
                "overdue_days": r.overdue_days,
            }
            for r in result.risks
        ],
        "heat_map": [list(row) for row in result.heat_map],
    }


def demand_json(result: DemandForecast) -> dict[str, Any]:
    """Per service: annual demand by year, baseline and scenario demand by month."""
    return {
        "title": result.title,
        "months": list(result.months),
        "services": [
            {
                "name": s.name,
                "annual": {str(y): v for y, v in s.annual.items()},
                "baseline": list(s.baseline),
                "scenarios": {k: list(v) for k, v in s.scenarios.items()},
            }
            for s in result.services
        ],
    }
