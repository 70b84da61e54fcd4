"""The flow scenario file: a patient-flow model of the discharge system (issue 6).

A scenario names the plan file it builds on (months, growth, severe-winter
uplift, open beds and arrivals from the plan's division) and adds what the
flow model needs: arrivals pattern, the ward, discharge pathways 0-3 with
their shares and lengths of stay to medically fit, downstream services (home
care / reablement, D2A or step-down beds, care homes), schemes acting on the
model, weekend limits and the indicators fed to the escalation engine. Every
number is a field; the example scenarios in ``examples/scenarios/`` carry the
seed figures and mark invented ones as illustrative. Models are frozen.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from surgewatch.planning.los import StayModel, empirical_mean
from surgewatch.planning.months import Month

Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]
MEASURES = (
    "occupancy",
    "dta_waiting",
    "nctr_patients",
    "in_service",
    "queue",
    "free_places",
    "free_starts_today",
)
SERVICE_MEASURES = ("in_service", "queue", "free_places", "free_starts_today")


class Frozen(BaseModel):
    """Base for scenario models: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Stay(Frozen):
    """A length-of-stay distribution in days (exponential, lognormal or empirical)."""

    kind: Literal["exponential", "lognormal", "empirical"] = "exponential"
    mean_days: float = Field(gt=0)
    sigma: float | None = Field(default=None, gt=0)
    values: tuple[float, ...] | None = None
    weights: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> Stay:
        problems = []
        if self.kind == "lognormal" and self.sigma is None:
            problems.append("sigma: a lognormal stay needs sigma; fix: add e.g. 'sigma: 0.8'")
        if self.kind == "empirical":
            problems += self._empirical_problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _empirical_problems(self) -> list[str]:
        values, weights = self.values, self.weights
        if not values:
            return ["values: an empirical stay needs values; fix: list stays in days"]
        if min(values) < 0:
            return ["values: stays cannot be negative; fix: use days >= 0"]
        if weights is not None and (len(weights) != len(values) or min(weights) < 0):
            return ["weights: one weight >= 0 per value; fix: match the lengths"]
        mean = empirical_mean(values, weights)
        if abs(mean - self.mean_days) > 0.02 * self.mean_days:
            return [
                f"mean_days: {self.mean_days} but the values average {mean:.3f}; "
                "fix: make them agree (within 2%)"
            ]
        return []

    def model(self) -> StayModel:
        """The distribution as the planning package's :class:`StayModel`."""
        return StayModel(
            self.kind, self.mean_days, self.sigma or 0.0, self.values or (), self.weights or ()
        )


class Period(Frozen):
    """The simulated days: ``start`` and a number of ``days`` (default: the plan's months)."""

    start: dt.date
    days: int = Field(ge=1, le=100_000)


class Arrivals(Frozen):
    """Emergency arrivals: base rate, weekly and daily pattern.

    ``per_day`` defaults to the plan division's ``demand.arrivals_per_day``;
    growth and the severe-winter uplift come from the plan's assumptions
    (seed 002: 1.8% a year, 6/7% in severe-winter months).
    """

    per_day: float | None = Field(default=None, gt=0)
    weekday_factors: tuple[float, ...] = (1.0,) * 7
    hourly_profile: tuple[float, ...] | None = None
    apply_growth: bool = True
    apply_severe_winter: bool = True

    @model_validator(mode="after")
    def _check_patterns(self) -> Arrivals:
        problems = []
        factors = self.weekday_factors
        if len(factors) != 7 or min(factors) < 0:
            problems.append("weekday_factors: give 7 factors >= 0, Monday first; fix: list 7")
        elif abs(sum(factors) / 7 - 1) > 0.01:
            problems.append(
                f"weekday_factors: they average {sum(factors) / 7:.3f}; "
                "fix: scale them so they average 1 (the weekly total stays per_day x 7)"
            )
        profile = self.hourly_profile
        if profile is not None and (len(profile) != 24 or min(profile) < 0 or sum(profile) <= 0):
            problems.append(
                "hourly_profile: give 24 weights >= 0 with a positive sum, midnight first; "
                "fix: list 24 numbers"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self


class Ward(Frozen):
    """The acute ward: bed limit and what happens when it is full.

    ``wait``: patients wait in ED with a decision to admit (DTA) until a bed
    frees. ``divert``: they are lost to the ward (for checks against Erlang B).
    ``beds`` defaults to the plan division's ``open_beds`` by month.
    ``weekend_discharges_per_day``: on Saturday and Sunday (unless the scenario
    runs a seven-day service, HICM change 5 in seed 003) only this many patients
    who become medically fit are discharged, or start their pathway, each day;
    the rest wait in their bed until the next day's allowance, counted as NCTR
    (seed 002's IDH schemes aim at this 'Monday backlog').
    """

    beds: int | None = Field(default=None, ge=1)
    when_full: Literal["wait", "divert"] = "wait"
    weekend_discharges_per_day: Count | None = None


class Pathway(Frozen):
    """A discharge pathway (0 home, 1 home with support, 2 bed-based, 3 care home)."""

    pathway: int = Field(ge=0, le=3)
    share: Share
    los: Stay
    service: str | None = None


class Service(Frozen):
    """Downstream capacity: home care / reablement, D2A or step-down beds, care homes.

    ``places`` is concurrent people served. A home-care service may instead
    give ``hours_per_week`` and ``hours_per_package_week`` (places = hours /
    hours per package). ``starts_per_day`` caps new starts a day (seed 000's
    KEaH daily capacity); ``weekend_starts_per_day`` caps them on Saturday and
    Sunday unless the scenario runs a seven-day service (HICM change 5).
    """

    name: str
    kind: Literal["home_care", "beds"]
    places: Count | None = None
    hours_per_week: float | None = Field(default=None, ge=0)
    hours_per_package_week: float | None = Field(default=None, gt=0)
    starts_per_day: Count | None = None
    weekend_starts_per_day: Count | None = None
    stay: Stay

    @model_validator(mode="after")
    def _check_capacity(self) -> Service:
        by_hours = self.hours_per_week is not None
        if by_hours and self.kind != "home_care":
            raise ValueError("hours_per_week: only home_care is sized in hours; fix: use places")
        if by_hours == (self.places is not None):
            raise ValueError(
                "places: give either places or hours_per_week (with hours_per_package_week); "
                "fix: keep exactly one"
            )
        if by_hours and self.hours_per_package_week is None:
            raise ValueError("hours_per_package_week: needed with hours_per_week; fix: add e.g. 10")
        return self


class SchemeBase(Frozen):
    """Common fields: a name, and when the scheme runs (default: the plan scheme's or all)."""

    name: str
    months: tuple[Month, ...] | None = None
    plan_scheme: str | None = None


class AddedBeds(SchemeBase):
    """More acute beds (escalation wards); ``beds`` or the plan scheme's capacity."""

    effect: Literal["added_beds"]
    beds: float | None = Field(default=None, ge=0)


class ServiceCapacity(SchemeBase):
    """More downstream capacity: places, hours a week, or starts a day for one service."""

    effect: Literal["service_capacity"]
    service: str
    places: Count | None = None
    hours_per_week: float | None = Field(default=None, ge=0)
    starts_per_day: Count | None = None


class ShorterStay(SchemeBase):
    """Stays to medically fit multiplied by ``factor`` for the listed pathways."""

    effect: Literal["shorter_stay"]
    pathways: tuple[int, ...] = (0, 1, 2, 3)
    factor: float = Field(gt=0, le=1)


class AdmissionAvoidance(SchemeBase):
    """A share of arrivals diverted before they need a bed (UCR, frailty, SDEC)."""

    effect: Literal["admission_avoidance"]
    share: Share


class VirtualWard(SchemeBase):
    """Virtual ward places: an eligible share of arrivals go there while a place is free."""

    effect: Literal["virtual_ward"]
    places: Count | None = None
    share: Share
    stay: Stay


FlowScheme = Annotated[
    AddedBeds | ServiceCapacity | ShorterStay | AdmissionAvoidance | VirtualWard,
    Field(discriminator="effect"),
]


class IndicatorFeed(Frozen):
    """One pack indicator the run produces: a model measure, scaled, for one area."""

    indicator: str
    area: str
    measure: Literal[
        "occupancy",
        "dta_waiting",
        "nctr_patients",
        "in_service",
        "queue",
        "free_places",
        "free_starts_today",
    ]
    service: str | None = None
    scale: float = Field(default=1.0, gt=0)


class Escalation(Frozen):
    """Feed the run's indicators through a framework pack's rules (seed 000, section 4.3)."""

    pack: str
    indicators: tuple[IndicatorFeed, ...] = Field(min_length=1)


class Scenario(Frozen):
    """A flow scenario: what ``surgewatch simulate`` runs."""

    title: str
    illustrative: bool = True
    plan: str | None = None
    site: str | None = None
    division: str | None = None
    period: Period | None = None
    warm_up_days: Count = 42
    seven_day_service: bool = False
    arrivals: Arrivals = Arrivals()
    ward: Ward = Ward()
    pathways: tuple[Pathway, ...] = Field(min_length=1)
    services: tuple[Service, ...] = ()
    schemes: tuple[FlowScheme, ...] = ()
    escalation: Escalation | None = None
    # Hour of the daily census: 0 counts patients 'in a bed overnight' as seed 002
    # counts MFFD; 10 reads them at seed 000's first assessment time (10:00).
    census_hour: float = Field(default=0.0, ge=0, lt=24)
