"""Compile a loaded scenario into day-by-day arrays the simulation engine reads.

Day 0 is the first day of the period; ``warm_up`` days before it run at the
first day's values (with their own weekdays) so the wards are not empty when
counting starts. Schemes switch on and off at midnight by month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.beds import growth_factor, monthly
from surgewatch.planning.flow.loading import LoadedScenario
from surgewatch.planning.flow.scenario import (
    FlowScheme,
    Pathway,
    Scenario,
    Service,
    ServiceCapacity,
    ShorterStay,
    VirtualWard,
)
from surgewatch.planning.los import StayModel
from surgewatch.planning.months import days_in
from surgewatch.planning.plan import Plan
from surgewatch.planning.plan import Scheme as PlanScheme

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
UNLIMITED = -1
SATURDAY = 5


@dataclass(frozen=True)
class FlowInputs:
    """Everything one replication needs, by day (index ``warm_up + d`` is period day d)."""

    title: str
    start: dt.date
    days: int
    warm_up: int
    census_hour: float
    arrivals: FloatArray  # expected arrivals per day
    hourly_profile: FloatArray | None
    avoided_share: FloatArray
    beds: IntArray
    wait_when_full: bool
    discharge_cap: IntArray  # UNLIMITED or discharges allowed that day
    pathway_shares: tuple[float, float, float, float]
    pathway_stays: tuple[StayModel | None, ...]
    pathway_service: tuple[int, int, int, int]  # service index, or -1 for none
    stay_factor: FloatArray  # (day, pathway) multiplier on the stay to medically fit
    service_names: tuple[str, ...]
    service_stays: tuple[StayModel, ...]
    places: IntArray  # (service, day)
    start_cap: IntArray  # (service, day), UNLIMITED or starts allowed
    vw_places: IntArray
    vw_share: FloatArray
    vw_stay: StayModel | None

    @property
    def total_days(self) -> int:
        return self.warm_up + self.days

    def dates(self) -> list[dt.date]:
        """Calendar dates of the counted days."""
        return [self.start + dt.timedelta(days=d) for d in range(self.days)]


def period_of(loaded: LoadedScenario) -> tuple[dt.date, int]:
    """The scenario's start date and length; by default the plan's months."""
    s = loaded.scenario
    if s.period is not None:
        return s.period.start, s.period.days
    assert loaded.plan is not None  # checked on load
    months = loaded.plan.months
    start = dt.date.fromisoformat(f"{months[0]}-01")
    return start, sum(days_in(m) for m in months)


def compile_inputs(loaded: LoadedScenario) -> FlowInputs:
    """Day-by-day arrays for the engine (seed figures arrive here only through the files)."""
    s = loaded.scenario
    start, days = period_of(loaded)
    calendar = [start + dt.timedelta(days=k - s.warm_up_days) for k in range(s.warm_up_days + days)]
    months = [max(d, start).strftime("%Y-%m") for d in calendar]
    services = [_service_days(loaded, i, months, calendar) for i in range(len(s.services))]
    vw = _vw(loaded, months)
    names = [x.name for x in s.services]
    return FlowInputs(
        s.title,
        start,
        days,
        s.warm_up_days,
        s.census_hour,
        _arrivals(loaded, months, calendar),
        _profile(s),
        _combined_share(loaded, "admission_avoidance", months),
        _beds(loaded, months),
        s.ward.when_full == "wait",
        _discharge_cap(s, calendar),
        _shares(s),
        tuple(p.los.model() if (p := _pathway(s, k)) else None for k in range(4)),
        _pathway_services(s, names),
        _stay_factor(loaded, months),
        tuple(names),
        tuple(x.stay.model() for x in s.services),
        np.array([p for p, _ in services], dtype=np.int64).reshape(len(names), len(months)),
        np.array([c for _, c in services], dtype=np.int64).reshape(len(names), len(months)),
        vw[0],
        vw[1],
        vw[2],
    )


def _pathway(s: Scenario, number: int) -> Pathway | None:
    return next((p for p in s.pathways if p.pathway == number), None)


def _shares(s: Scenario) -> tuple[float, float, float, float]:
    shares = [p.share if (p := _pathway(s, k)) else 0.0 for k in range(4)]
    return shares[0], shares[1], shares[2], shares[3]


def _pathway_services(s: Scenario, names: list[str]) -> tuple[int, int, int, int]:
    index = [
        names.index(p.service) if (p := _pathway(s, k)) and p.service is not None else -1
        for k in range(4)
    ]
    return index[0], index[1], index[2], index[3]


def _profile(s: Scenario) -> FloatArray | None:
    profile = s.arrivals.hourly_profile
    if profile is None:
        return None
    weights = np.asarray(profile, dtype=np.float64)
    return np.asarray(weights / weights.sum())


def _arrivals(loaded: LoadedScenario, months: list[str], calendar: list[dt.date]) -> FloatArray:
    """Base rate x growth x severe-winter uplift x weekday factor.

    Growth and uplift are the plan's assumptions (seed 002, 'Underpinning
    Assumptions': annual growth of 1.8%, severe winter 'a pressure of 6/7% per
    day' in its months), applied by the bed model's own :func:`growth_factor`.
    """
    s, plan, division = loaded.scenario, loaded.plan, loaded.division
    base = s.arrivals.per_day
    if base is None:
        assert division is not None and division.demand is not None  # checked on load
        base = division.demand.arrivals_per_day
    assumptions = plan.assumptions_for(division) if plan and division else None
    rates = []
    for month, date in zip(months, calendar, strict=True):
        rate = base * s.arrivals.weekday_factors[date.weekday()]
        if assumptions is not None and s.arrivals.apply_growth:
            rate *= growth_factor(assumptions, month)
        uplift = assumptions.severe_winter_uplift if assumptions else None
        if uplift is not None and s.arrivals.apply_severe_winter and month in uplift.months:
            rate *= 1 + uplift.value
        rates.append(rate)
    return np.asarray(rates, dtype=np.float64)


def _active(loaded: LoadedScenario, scheme: FlowScheme, month: str) -> bool:
    if scheme.months is not None:
        return month in scheme.months
    planned = _plan_scheme(loaded.plan, scheme)
    if planned is not None and planned.active_months is not None:
        return month in planned.active_months
    return True


def _plan_scheme(plan: Plan | None, scheme: FlowScheme) -> PlanScheme | None:
    if plan is None or scheme.plan_scheme is None:
        return None
    return next(x for x in plan.schemes if x.name == scheme.plan_scheme)


def _amount(loaded: LoadedScenario, scheme: FlowScheme, field: str, month: str) -> float:
    """The scheme's own figure, else the plan scheme's capacity in that month (0 when idle)."""
    if not _active(loaded, scheme, month):
        return 0.0
    own = getattr(scheme, field, None)
    if own is not None:
        return float(own)
    planned = _plan_scheme(loaded.plan, scheme)
    if planned is None or loaded.plan is None:
        return 0.0
    series = monthly(planned.capacity, len(loaded.plan.months))
    return series[loaded.plan.months.index(month)] if month in loaded.plan.months else 0.0


def _schemes(loaded: LoadedScenario, effect: str) -> list[FlowScheme]:
    return [x for x in loaded.scenario.schemes if x.effect == effect]


def _beds(loaded: LoadedScenario, months: list[str]) -> IntArray:
    s, plan, division = loaded.scenario, loaded.plan, loaded.division
    beds = []
    for month in months:
        if s.ward.beds is not None:
            base = float(s.ward.beds)
        else:
            assert plan is not None and division is not None and division.open_beds is not None
            base = monthly(division.open_beds, len(plan.months))[plan.months.index(month)]
        added = sum(_amount(loaded, x, "beds", month) for x in _schemes(loaded, "added_beds"))
        beds.append(round(base + added))
    return np.asarray(beds, dtype=np.int64)


def _combined_share(loaded: LoadedScenario, effect: str, months: list[str]) -> FloatArray:
    """Independent schemes each divert their share of what is left: 1 - prod(1 - share)."""
    shares = []
    for month in months:
        kept = 1.0
        for x in _schemes(loaded, effect):
            kept *= 1 - (getattr(x, "share", 0.0) if _active(loaded, x, month) else 0.0)
        shares.append(1 - kept)
    return np.asarray(shares, dtype=np.float64)


def _discharge_cap(s: Scenario, calendar: list[dt.date]) -> IntArray:
    """Weekend discharge limit by day, lifted by a seven-day service (seed 003, HICM change 5)."""
    cap = s.ward.weekend_discharges_per_day
    limited = cap is not None and not s.seven_day_service
    return np.asarray(
        [cap if limited and d.weekday() >= SATURDAY else UNLIMITED for d in calendar],
        dtype=np.int64,
    )


def _stay_factor(loaded: LoadedScenario, months: list[str]) -> FloatArray:
    factor = np.ones((len(months), 4), dtype=np.float64)
    for x in loaded.scenario.schemes:
        if not isinstance(x, ShorterStay):
            continue
        for i, month in enumerate(months):
            if _active(loaded, x, month):
                factor[i, np.asarray(x.pathways, dtype=np.intp)] *= x.factor
    return factor


def _service_days(
    loaded: LoadedScenario, index: int, months: list[str], calendar: list[dt.date]
) -> tuple[list[int], list[int]]:
    """Places and start caps by day for one service, schemes included."""
    s = loaded.scenario
    service = s.services[index]
    extra: list[FlowScheme] = [
        x
        for x in loaded.scenario.schemes
        if isinstance(x, ServiceCapacity) and x.service == service.name
    ]
    places, caps = [], []
    for month, date in zip(months, calendar, strict=True):
        places.append(_places(loaded, service, extra, month))
        caps.append(_start_cap(loaded, service, extra, month, date))
    return places, caps


def _places(loaded: LoadedScenario, service: Service, extra: list[FlowScheme], month: str) -> int:
    if service.hours_per_week is None:
        added = sum(_amount(loaded, x, "places", month) for x in extra)
        return round((service.places or 0) + added)
    hours = service.hours_per_week + sum(_amount(loaded, x, "hours_per_week", month) for x in extra)
    assert service.hours_per_package_week is not None  # checked on load
    return int(hours // service.hours_per_package_week)


def _start_cap(
    loaded: LoadedScenario, service: Service, extra: list[FlowScheme], month: str, date: dt.date
) -> int:
    """Starts allowed that day (seed 000's KEaH daily capacity), weekend-limited unless 7-day."""
    cap = service.starts_per_day
    if cap is not None:
        explicit = [x for x in extra if getattr(x, "starts_per_day", None) is not None]
        cap += round(sum(_amount(loaded, x, "starts_per_day", month) for x in explicit))
    weekend = service.weekend_starts_per_day
    if weekend is not None and date.weekday() >= SATURDAY and not loaded.scenario.seven_day_service:
        cap = weekend if cap is None else min(cap, weekend)
    return UNLIMITED if cap is None else cap


def _vw(loaded: LoadedScenario, months: list[str]) -> tuple[IntArray, FloatArray, StayModel | None]:
    schemes = [x for x in loaded.scenario.schemes if isinstance(x, VirtualWard)]
    if not schemes:
        zeros = np.zeros(len(months))
        return zeros.astype(np.int64), zeros, None
    x = schemes[0]  # one virtual ward scheme (checked on load)
    places = [round(_amount(loaded, x, "places", m)) for m in months]
    share = [x.share if _active(loaded, x, m) else 0.0 for m in months]
    return (
        np.asarray(places, dtype=np.int64),
        np.asarray(share, dtype=np.float64),
        x.stay.model(),
    )
