"""Cross-field checks on a capacity plan, each reported as ``path: message; fix: ...``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surgewatch.planning.plan import Assumptions, Division, Plan, Scheme


def plan_problems(plan: Plan) -> list[str]:
    """Every inconsistency in ``plan``; empty when the plan is usable."""
    problems = _month_problems(plan)
    for s, site in enumerate(plan.sites):
        for d, division in enumerate(site.divisions):
            where = f"sites.{s}({site.name}).divisions.{d}({division.name})"
            problems += _division_problems(plan, division, where)
    for i, scheme in enumerate(plan.schemes):
        problems += _scheme_problems(plan, scheme, f"schemes.{i}({scheme.name})")
    return problems


def _month_problems(plan: Plan) -> list[str]:
    problems = []
    if len(set(plan.months)) != len(plan.months):
        problems.append("months: a month is listed twice; fix: list each month once")
    return problems + _seasonal_problems(plan, plan.assumptions, "assumptions")


def _seasonal_problems(plan: Plan, assumptions: Assumptions | None, where: str) -> list[str]:
    if assumptions is None:
        return []
    seasonal = {
        "severe_winter_uplift": assumptions.severe_winter_uplift.months,
        "ipc_pressure_beds": assumptions.ipc_pressure_beds.months,
    }
    problems = []
    for key, months in seasonal.items():
        problems += _unknown_months(plan, months, f"{where}.{key}.months")
    return problems


def _unknown_months(plan: Plan, months: Sequence[str], where: str) -> list[str]:
    unknown = [m for m in months if m not in plan.months]
    if not unknown:
        return []
    return [
        f"{where}: {', '.join(unknown)} not in the plan's months; fix: use months from 'months'"
    ]


def _series_problems(plan: Plan, series: float | Sequence[float], where: str) -> list[str]:
    values = [series] if isinstance(series, int | float) else list(series)
    problems = []
    if not isinstance(series, int | float) and len(values) != len(plan.months):
        problems.append(
            f"{where}: {len(values)} values for {len(plan.months)} months; "
            "fix: give one value per month (0 where nothing applies)"
        )
    if any(v < 0 for v in values):
        problems.append(f"{where}: negative value; fix: capacities and beds are >= 0")
    return problems


def _division_problems(plan: Plan, division: Division, where: str) -> list[str]:
    if division.gap is not None and division.demand is not None:
        return [f"{where}: give either 'gap' or 'demand', not both; fix: remove one"]
    if division.gap is not None:
        if len(division.gap) == len(plan.months):
            return []
        return [
            f"{where}.gap: {len(division.gap)} values for {len(plan.months)} months; "
            "fix: give one gap per month"
        ]
    if division.demand is None:
        return [f"{where}: no 'gap' series and no 'demand' model; fix: add one of them"]
    return _demand_problems(plan, division, where)


def _demand_problems(plan: Plan, division: Division, where: str) -> list[str]:
    problems = []
    if division.open_beds is None:
        problems.append(f"{where}.open_beds: a demand model needs open beds; fix: add open_beds")
    else:
        problems += _series_problems(plan, division.open_beds, f"{where}.open_beds")
    if plan.assumptions is None and division.assumptions is None:
        problems.append(
            f"{where}: a demand model needs assumptions; "
            "fix: add an 'assumptions' block to the plan or to this division"
        )
    problems += _seasonal_problems(plan, division.assumptions, f"{where}.assumptions")
    return problems + _stay_problems(division, where)


def _stay_problems(division: Division, where: str) -> list[str]:
    from surgewatch.planning.los import empirical_mean

    demand = division.demand
    if demand is None or demand.los.kind != "empirical" or not demand.los.values:
        return []
    if demand.los.weights is not None and len(demand.los.weights) != len(demand.los.values):
        return []
    mean = empirical_mean(demand.los.values, demand.los.weights)
    if abs(mean - demand.mean_los_days) <= 0.02 * demand.mean_los_days:
        return []
    return [
        f"{where}.demand.mean_los_days: {demand.mean_los_days} but the empirical stays "
        f"average {mean:.3f}; fix: make them agree (within 2%)"
    ]


def _scheme_problems(plan: Plan, scheme: Scheme, where: str) -> list[str]:
    problems = []
    if scheme.unit not in plan.unit_ratios:
        known = ", ".join(sorted(plan.unit_ratios))
        problems.append(f"{where}.unit: unknown unit '{scheme.unit}'; fix: use one of {known}")
    problems += _series_problems(plan, scheme.capacity, f"{where}.capacity")
    if scheme.active_months is not None:
        if not isinstance(scheme.capacity, int | float):
            problems.append(
                f"{where}.active_months: only with a constant capacity; "
                "fix: give either a per-month list or a constant with active_months"
            )
        problems += _unknown_months(plan, scheme.active_months, f"{where}.active_months")
    problems += _target_problems(plan, scheme, where)
    return problems


def _target_problems(plan: Plan, scheme: Scheme, where: str) -> list[str]:
    if scheme.site is None:
        return (
            [f"{where}.division: a division needs its site; fix: add 'site'"]
            if scheme.division
            else []
        )
    sites = {site.name: site for site in plan.sites}
    if scheme.site not in sites:
        return [f"{where}.site: unknown site '{scheme.site}'; fix: use one of {', '.join(sites)}"]
    names = [d.name for d in sites[scheme.site].divisions]
    if scheme.division is not None and scheme.division not in names:
        return [
            f"{where}.division: unknown division '{scheme.division}'; "
            f"fix: use one of {', '.join(names)}"
        ]
    return []
