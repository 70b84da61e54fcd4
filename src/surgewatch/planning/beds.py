"""The default bed model (DESIGN.md 'Planning maths'; seed 002 'Underpinning Assumptions').

Beds required = arrivals per day x mean length of stay / target occupancy,
grown by annual demographic growth, uplifted in severe-winter months, plus
MFFD patients, DTA patients held and IPC pressure in its months.
Gap = open beds - beds required (negative is a deficit, as seed 002 prints it).
"""

from __future__ import annotations

from surgewatch.planning.months import months_between
from surgewatch.planning.plan import Assumptions, Demand, Division, Plan, Series


def growth_factor(assumptions: Assumptions, month: str) -> float:
    """Compound annual growth from the base month (seed 002: 'Annual Growth of 1.8%')."""
    years = months_between(assumptions.growth_base_month, month) / 12
    return float((1 + assumptions.annual_growth) ** years)


def arrivals_per_day(demand: Demand, assumptions: Assumptions, month: str) -> float:
    """Grown arrivals, with the severe-winter uplift in its months ('6/7% per day')."""
    uplift = assumptions.severe_winter_uplift
    factor = 1 + uplift.value if month in uplift.months else 1.0
    return demand.arrivals_per_day * growth_factor(assumptions, month) * factor


def fixed_occupants(assumptions: Assumptions, month: str) -> float:
    """Beds held whatever the arrivals: MFFD (128), DTA (33.5), IPC (+20 Dec-Feb)."""
    ipc = assumptions.ipc_pressure_beds
    extra = ipc.value if month in ipc.months else 0.0
    return assumptions.mffd_patients + assumptions.dta_patients + extra


def beds_required(demand: Demand, assumptions: Assumptions, month: str) -> float:
    """Beds required in ``month`` by the default model (seed 002, 92% occupancy)."""
    occupied = arrivals_per_day(demand, assumptions, month) * demand.mean_los_days
    return occupied / assumptions.target_occupancy + fixed_occupants(assumptions, month)


def monthly(value: float | Series, count: int) -> Series:
    """A constant or a per-month series, as a per-month series."""
    if isinstance(value, int | float):
        return (float(value),) * count
    return tuple(float(v) for v in value)


def division_gap(plan: Plan, division: Division) -> Series:
    """Open beds less beds required per month, or the printed gap series as given."""
    if division.gap is not None:
        return tuple(float(g) for g in division.gap)
    assert division.demand is not None and division.open_beds is not None  # checked on load
    assumptions = plan.assumptions_for(division)
    beds = monthly(division.open_beds, len(plan.months))
    return tuple(
        open_beds - beds_required(division.demand, assumptions, month)
        for open_beds, month in zip(beds, plan.months, strict=True)
    )
