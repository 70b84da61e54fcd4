"""The bed gap, its mitigation by schemes, and the residual (seed 002, RSUH medical bed table).

Sign convention, as seed 002 prints it: the gap is open beds less beds required,
so a deficit is negative (-208 in Jan-25); each scheme's contribution is a
positive number of acute-bed equivalents; residual = gap + total mitigation, so
a negative residual is the deficit left over ('Balance -9' in Jan-25).
"""

from __future__ import annotations

from dataclasses import dataclass

from surgewatch.planning.beds import division_gap, monthly
from surgewatch.planning.plan import Plan, Scheme, Series
from surgewatch.planning.units import ROUNDING_NOTES, acute_equivalent


@dataclass(frozen=True)
class SchemeContribution:
    """One scheme by month: native capacity and its acute-bed equivalent."""

    name: str
    provider: str
    unit: str
    ratio: float
    capacity: Series
    acute_equivalent: Series


@dataclass(frozen=True)
class GapResult:
    """Gap before mitigation, each scheme's contribution, total mitigation and residual."""

    title: str
    months: tuple[str, ...]
    gap: Series
    schemes: tuple[SchemeContribution, ...]
    mitigation: Series
    residual: Series
    rounding_note: str


def scheme_capacity(plan: Plan, scheme: Scheme) -> Series:
    """Native capacity per month: a per-month list, or a constant in its active months."""
    if not isinstance(scheme.capacity, int | float):
        return monthly(scheme.capacity, len(plan.months))
    active = plan.months if scheme.active_months is None else scheme.active_months
    return tuple(float(scheme.capacity) if m in active else 0.0 for m in plan.months)


def contribution(plan: Plan, scheme: Scheme) -> SchemeContribution:
    """A scheme's monthly contribution in acute-bed equivalents, by the plan's ratio."""
    ratio = plan.unit_ratios[scheme.unit]
    capacity = scheme_capacity(plan, scheme)
    equivalents = tuple(acute_equivalent(c, ratio, plan.rounding) for c in capacity)
    return SchemeContribution(
        scheme.name, scheme.provider, scheme.unit, ratio, capacity, equivalents
    )


def total_gap(plan: Plan) -> Series:
    """The gap before mitigation, summed over every site and division."""
    gaps = [division_gap(plan, division) for _, division in plan.divisions()]
    return tuple(sum(month) for month in zip(*gaps, strict=True))


def column_sums(rows: list[Series], count: int) -> Series:
    """Month-by-month sums of ``rows`` (zeros when there are none)."""
    return tuple(sum(row[i] for row in rows) for i in range(count))


def analyse_gap(plan: Plan) -> GapResult:
    """Gap, scheme contributions, mitigation and residual for every month of ``plan``."""
    gap = total_gap(plan)
    schemes = tuple(contribution(plan, scheme) for scheme in plan.schemes)
    mitigation = column_sums([s.acute_equivalent for s in schemes], len(plan.months))
    residual = tuple(g + m for g, m in zip(gap, mitigation, strict=True))
    return GapResult(
        plan.title, plan.months, gap, schemes, mitigation, residual, ROUNDING_NOTES[plan.rounding]
    )


def mitigation_for(plan: Plan, site: str | None, division: str | None) -> Series:
    """Acute-bed equivalents from schemes aimed at one site/division (None: plan-wide)."""
    chosen = [
        contribution(plan, s).acute_equivalent
        for s in plan.schemes
        if (s.site, s.division) == (site, division)
    ]
    return column_sums(chosen, len(plan.months))
