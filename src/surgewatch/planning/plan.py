"""The capacity plan file: months, sites and divisions, assumptions, unit ratios, schemes.

Every number the bed model uses is a field here, so a plan's assumptions are
data with the seed's value as the worked example (examples/plans/), never a
constant in code. Models are frozen: a loaded plan is never mutated.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from surgewatch.planning.checks import plan_problems
from surgewatch.planning.loading import load_model
from surgewatch.planning.months import Month

Series = tuple[float, ...]
Ratio = Annotated[float, Field(gt=0)]


class Frozen(BaseModel):
    """Base for planning models: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LengthOfStay(Frozen):
    """Length-of-stay distribution for the uncertainty model (mean from ``mean_los_days``).

    ``lognormal`` needs ``sigma`` (standard deviation of log stay); ``empirical``
    needs ``values`` in days and optional ``weights``.
    """

    kind: Literal["exponential", "lognormal", "empirical"] = "exponential"
    sigma: float | None = Field(default=None, gt=0)
    values: tuple[float, ...] | None = None
    weights: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> LengthOfStay:
        problems = []
        if self.kind == "lognormal" and self.sigma is None:
            problems.append("sigma: a lognormal stay needs sigma; fix: add e.g. 'sigma: 0.8'")
        if self.kind == "empirical" and not self.values:
            problems.append("values: an empirical stay needs values; fix: list stays in days")
        if self.values and any(v < 0 for v in self.values):
            problems.append("values: stays cannot be negative; fix: use days >= 0")
        if self.weights is not None and len(self.weights) != len(self.values or ()):
            problems.append("weights: one weight per value; fix: match the lengths")
        if self.weights is not None and (min(self.weights) < 0 or sum(self.weights) <= 0):
            problems.append("weights: weights must be >= 0 with a positive sum; fix them")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class Demand(Frozen):
    """Baseline demand for a division: seed 002 'ALoS for RSUH Medical beds of 1.88 days'."""

    arrivals_per_day: float = Field(gt=0)
    mean_los_days: float = Field(gt=0)
    los: LengthOfStay = LengthOfStay()


class Seasonal(Frozen):
    """A value applied only in some months (severe winter uplift, IPC pressure)."""

    value: float = Field(ge=0)
    months: tuple[Month, ...] = ()


class Assumptions(Frozen):
    """The bed model's assumptions (seed 002, 'Underpinning Assumptions')."""

    target_occupancy: float = Field(gt=0, le=1)
    annual_growth: float = Field(gt=-1)
    growth_base_month: Month
    severe_winter_uplift: Seasonal
    mffd_patients: float = Field(ge=0)
    dta_patients: float = Field(ge=0)
    ipc_pressure_beds: Seasonal


class Division(Frozen):
    """A division at a site: either a demand model with open beds, or a printed gap series.

    ``assumptions`` overrides the plan's for this division (MFFD and DTA counts
    differ by site); otherwise the plan's assumptions apply to each division.
    """

    name: str
    open_beds: float | Series | None = None
    demand: Demand | None = None
    gap: Series | None = None
    assumptions: Assumptions | None = None


class Site(Frozen):
    """A hospital site (RSUH, County, QHB in seed 002) and its divisions."""

    name: str
    divisions: tuple[Division, ...] = Field(min_length=1)


class Scheme(Frozen):
    """A mitigating scheme: capacity per month in its native unit (or a constant + months)."""

    name: str
    provider: str
    unit: str
    capacity: float | Series
    active_months: tuple[Month, ...] | None = None
    site: str | None = None
    division: str | None = None
    cost: Decimal | None = Field(default=None, ge=0)
    funding_source: str | None = None


class Plan(Frozen):
    """A capacity plan: the file behind ``surgewatch plan gap`` and ``plan uncertainty``."""

    title: str
    months: tuple[Month, ...] = Field(min_length=1)
    rounding: Literal["none", "per_scheme"] = "none"
    unit_ratios: dict[str, Ratio] = Field(min_length=1)
    assumptions: Assumptions | None = None
    sites: tuple[Site, ...] = Field(min_length=1)
    schemes: tuple[Scheme, ...] = ()

    @model_validator(mode="after")
    def _check_consistency(self) -> Plan:
        problems = plan_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def assumptions_for(self, division: Division) -> Assumptions:
        """The division's own assumptions, else the plan's (checked to exist on load)."""
        chosen = division.assumptions or self.assumptions
        assert chosen is not None
        return chosen

    def divisions(self) -> list[tuple[Site, Division]]:
        """Every (site, division) pair in file order."""
        return [(site, division) for site in self.sites for division in site.divisions]


def load_plan(source: str | Path) -> Plan:
    """Load and validate a capacity plan file; raises PlanError naming file, path and fix."""
    return load_model(Plan, source)
