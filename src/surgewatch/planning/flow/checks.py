"""Cross-field checks on a flow scenario, each reported as ``path: message; fix: ...``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from surgewatch.planning.flow.scenario import SERVICE_MEASURES

if TYPE_CHECKING:
    from surgewatch.core.pack import Pack
    from surgewatch.planning.flow.scenario import FlowScheme, Scenario
    from surgewatch.planning.plan import Division, Plan


def scenario_problems(scenario: Scenario) -> list[str]:
    """Problems visible from the scenario alone (shares, names, references)."""
    problems = _pathway_problems(scenario) + _service_name_problems(scenario)
    for i, scheme in enumerate(scenario.schemes):
        problems += _scheme_problems(scenario, scheme, f"schemes.{i}({scheme.name})")
    if sum(x.effect == "virtual_ward" for x in scenario.schemes) > 1:
        problems.append(
            "schemes: more than one virtual_ward scheme; fix: combine them into one "
            "(places add up, one eligible share and stay)"
        )
    if scenario.plan is None:
        problems += _standalone_problems(scenario)
    return problems


def _pathway_problems(scenario: Scenario) -> list[str]:
    numbers = [p.pathway for p in scenario.pathways]
    problems = []
    if len(set(numbers)) != len(numbers):
        problems.append("pathways: a pathway is listed twice; fix: list each of 0-3 once")
    total = sum(p.share for p in scenario.pathways)
    if abs(total - 1) > 1e-6:
        problems.append(f"pathways: shares add up to {total:g}; fix: make them add up to 1")
    services = {s.name for s in scenario.services}
    for i, p in enumerate(scenario.pathways):
        if p.service is not None and p.service not in services:
            problems.append(_unknown(f"pathways.{i}.service", p.service, services))
    return problems


def _service_name_problems(scenario: Scenario) -> list[str]:
    names = [s.name for s in scenario.services]
    if len(set(names)) == len(names):
        return []
    return ["services: a service name is used twice; fix: give each service its own name"]


def _unknown(where: str, name: str, known: set[str]) -> str:
    choices = ", ".join(sorted(known)) or "(none defined)"
    return f"{where}: unknown service '{name}'; fix: use one of {choices}"


def _scheme_problems(scenario: Scenario, scheme: FlowScheme, where: str) -> list[str]:
    amount = {
        "added_beds": ("beds",),
        "service_capacity": ("places", "hours_per_week", "starts_per_day"),
        "virtual_ward": ("places",),
    }.get(scheme.effect, ())
    problems = []
    if amount and scheme.plan_scheme is None and all(getattr(scheme, k) is None for k in amount):
        problems.append(
            f"{where}: no amount; fix: give {' or '.join(amount)}, or 'plan_scheme' to take "
            "the plan scheme's capacity"
        )
    if scheme.effect == "service_capacity":
        problems += _service_scheme_problems(scenario, scheme.service, scheme, where)
    if scheme.effect == "shorter_stay" and not set(scheme.pathways) <= {0, 1, 2, 3}:
        problems.append(f"{where}.pathways: pathways are 0-3; fix: list numbers from 0 to 3")
    return problems


def _service_scheme_problems(
    scenario: Scenario, name: str, scheme: FlowScheme, where: str
) -> list[str]:
    services = {s.name: s for s in scenario.services}
    if name not in services:
        return [_unknown(f"{where}.service", name, set(services))]
    by_hours = services[name].hours_per_week is not None
    if getattr(scheme, "hours_per_week", None) is not None and not by_hours:
        return [f"{where}.hours_per_week: '{name}' is sized in places; fix: add places instead"]
    if getattr(scheme, "places", None) is not None and by_hours:
        return [f"{where}.places: '{name}' is sized in hours; fix: add hours_per_week instead"]
    return []


def _standalone_problems(scenario: Scenario) -> list[str]:
    problems = []
    if scenario.arrivals.per_day is None:
        problems.append("arrivals.per_day: no plan to take arrivals from; fix: add per_day")
    if scenario.ward.beds is None:
        problems.append("ward.beds: no plan to take open beds from; fix: add beds")
    if scenario.period is None:
        problems.append("period: no plan months to run over; fix: add start and days")
    for i, scheme in enumerate(scenario.schemes):
        if scheme.plan_scheme is not None:
            problems.append(
                f"schemes.{i}({scheme.name}).plan_scheme: the scenario has no plan; "
                "fix: add 'plan' or give the amount here"
            )
    return problems


def plan_problems(scenario: Scenario, plan: Plan, division: Division) -> list[str]:
    """Problems that need the plan: missing demand or beds, months and plan schemes."""
    problems = []
    if scenario.arrivals.per_day is None and division.demand is None:
        problems.append(
            f"arrivals.per_day: plan division '{division.name}' has no demand; fix: add per_day"
        )
    if scenario.ward.beds is None and division.open_beds is None:
        problems.append(
            f"ward.beds: plan division '{division.name}' has no open_beds; fix: add beds"
        )
    problems += _period_problems(scenario, plan)
    names = {s.name for s in plan.schemes}
    for i, scheme in enumerate(scenario.schemes):
        where = f"schemes.{i}({scheme.name})"
        if scheme.plan_scheme is not None and scheme.plan_scheme not in names:
            problems.append(
                f"{where}.plan_scheme: no scheme '{scheme.plan_scheme}' in the plan; "
                f"fix: use one of {', '.join(sorted(names)) or '(none)'}"
            )
        unknown = [m for m in scheme.months or () if m not in plan.months]
        if unknown:
            problems.append(
                f"{where}.months: {', '.join(unknown)} not in the plan's months; "
                "fix: use months from the plan"
            )
    return problems


def _period_problems(scenario: Scenario, plan: Plan) -> list[str]:
    if scenario.period is None:
        return []
    first = scenario.period.start
    last = first + dt.timedelta(days=scenario.period.days - 1)
    outside = [d for d in (first, last) if d.strftime("%Y-%m") not in plan.months]
    if not outside:
        return []
    return [
        f"period: {outside[0].isoformat()} is outside the plan's months "
        f"({plan.months[0]} to {plan.months[-1]}); fix: run within the plan's months"
    ]


def pack_problems(scenario: Scenario, pack: Pack) -> list[str]:
    """Each fed indicator and area must exist in the pack; service measures name a service."""
    assert scenario.escalation is not None
    indicators = {i.id: i for i in pack.indicators}
    services = {s.name for s in scenario.services}
    problems = []
    for i, feed in enumerate(scenario.escalation.indicators):
        where = f"escalation.indicators.{i}({feed.indicator})"
        if feed.indicator not in indicators:
            known = ", ".join(sorted(indicators))
            problems.append(f"{where}.indicator: not in pack {pack.id}; fix: use one of {known}")
        elif indicators[feed.indicator].report_only:
            problems.append(f"{where}.indicator: report-only, so it has no level; fix: use another")
        else:
            problems += _area_problems(indicators[feed.indicator].areas, feed.area, where)
        problems += _feed_service_problems(feed.measure, feed.service, services, where)
    return problems


def _area_problems(areas: Mapping[str, object], area: str, where: str) -> list[str]:
    """A feed needs an area where the indicator has trigger bands, or it can never give a level."""
    banded = [a for a, rule in areas.items() if isinstance(rule, dict)]
    if area in banded:
        return []
    why = "is not in the indicator's areas" if area not in areas else f"is {areas[area]}"
    return [f"{where}.area: '{area}' {why}, so it has no bands; fix: use {', '.join(banded)}"]


def _feed_service_problems(
    measure: str, service: str | None, services: set[str], where: str
) -> list[str]:
    if measure in SERVICE_MEASURES and service is None:
        return [f"{where}.service: '{measure}' is a service measure; fix: name the service"]
    if measure not in SERVICE_MEASURES and service is not None:
        return [f"{where}.service: '{measure}' is a ward measure; fix: remove service"]
    if service is not None and service not in services:
        return [_unknown(f"{where}.service", service, services)]
    return []
