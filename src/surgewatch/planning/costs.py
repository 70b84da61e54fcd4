"""Costs and funding (seed 001, section 1.1.4 staffing proposals and section 2 funding).

Money is Decimal throughout so printed plan figures reproduce to the penny:
15 social workers x GBP 28/h x 740 h = GBP 310,800; the staffing proposals
total GBP 540,286; GBP 6.1m less GBP 1.4m on-going schemes leaves GBP 4.7m.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import Field, model_validator

from surgewatch.planning.loading import load_model
from surgewatch.planning.plan import Frozen

Money = Decimal


class Staffing(Frozen):
    """Headcount x hourly rate x hours per head (or hours per week x weeks)."""

    headcount: Decimal = Field(ge=0)
    hourly_rate: Money = Field(ge=0)
    hours: Decimal | None = Field(default=None, ge=0)
    hours_per_week: Decimal | None = Field(default=None, ge=0)
    weeks: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_way_of_hours(self) -> Staffing:
        weekly = self.hours_per_week is not None and self.weeks is not None
        if (self.hours is not None) == weekly:
            raise ValueError(
                "hours: give either 'hours' (per head) or both 'hours_per_week' and 'weeks'; "
                "fix: keep one of the two"
            )
        return self

    def hours_per_head(self) -> Decimal:
        """Hours worked by each person over the period."""
        if self.hours is not None:
            return self.hours
        assert self.hours_per_week is not None and self.weeks is not None
        return self.hours_per_week * self.weeks


class Units(Frozen):
    """Count x unit cost x periods (seed 001: 30 clients x GBP 1,000 a week x 16 weeks)."""

    count: Decimal = Field(ge=0)
    unit_cost: Money = Field(ge=0)
    periods: Decimal = Field(default=Decimal(1), ge=0)


class CostLine(Frozen):
    """One costed proposal: a fixed sum, a staffing calculation or a unit calculation."""

    name: str
    fixed: Money | None = Field(default=None, ge=0)
    staffing: Staffing | None = None
    units: Units | None = None
    funding_source: str | None = None
    printed: Money | None = None

    @model_validator(mode="after")
    def _exactly_one_basis(self) -> CostLine:
        if sum(x is not None for x in (self.fixed, self.staffing, self.units)) != 1:
            raise ValueError("fixed: give exactly one of fixed, staffing or units; fix: keep one")
        return self


class CostGroup(Frozen):
    """A set of proposals with the total the plan prints for it."""

    name: str
    lines: tuple[CostLine, ...] = Field(min_length=1)
    printed_total: Money | None = None


class Commitment(Frozen):
    """Part of a funding source already spoken for (seed 001: GBP 1.4m on-going schemes)."""

    name: str
    amount: Money = Field(ge=0)


class FundingSource(Frozen):
    """Money available to the plan (seed 001: Winter Pressures funding GBP 6.1m)."""

    name: str
    amount: Money = Field(ge=0)
    commitments: tuple[Commitment, ...] = ()
    printed_available: Money | None = None


class CostPlan(Frozen):
    """The file behind ``surgewatch plan costs``."""

    title: str
    currency: str = "GBP"
    funding: tuple[FundingSource, ...] = ()
    groups: tuple[CostGroup, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sources_exist(self) -> CostPlan:
        known = {source.name for source in self.funding}
        problems = [
            f"groups.{g}({group.name}).lines.{i}({line.name}).funding_source: unknown source "
            f"'{line.funding_source}'; fix: use one of {', '.join(sorted(known)) or '(none)'}"
            for g, group in enumerate(self.groups)
            for i, line in enumerate(group.lines)
            if line.funding_source is not None and line.funding_source not in known
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self


@dataclass(frozen=True)
class LineCost:
    """A costed line and how it was worked out."""

    name: str
    group: str
    amount: Money
    basis: str
    funding_source: str | None
    printed: Money | None


@dataclass(frozen=True)
class GroupCost:
    """A group's total against the total the plan prints."""

    name: str
    total: Money
    printed_total: Money | None


@dataclass(frozen=True)
class FundingPosition:
    """A funding source: amount, committed, available, allocated here, remaining."""

    name: str
    amount: Money
    committed: Money
    available: Money
    allocated: Money
    remaining: Money
    printed_available: Money | None


@dataclass(frozen=True)
class CostReport:
    """Every line, group and funding source, with mismatches against printed figures."""

    title: str
    currency: str
    lines: tuple[LineCost, ...]
    groups: tuple[GroupCost, ...]
    funding: tuple[FundingPosition, ...]
    unfunded: Money
    total: Money
    mismatches: tuple[str, ...]


def line_amount(line: CostLine) -> tuple[Money, str]:
    """The amount of a line and a readable basis ('15 x 28/h x 740 h')."""
    if line.staffing is not None:
        s = line.staffing
        hours = s.hours_per_head()
        return s.headcount * s.hourly_rate * hours, f"{s.headcount} x {s.hourly_rate}/h x {hours} h"
    if line.units is not None:
        u = line.units
        return u.count * u.unit_cost * u.periods, f"{u.count} x {u.unit_cost} x {u.periods}"
    assert line.fixed is not None
    return line.fixed, "fixed sum"


def funding_position(source: FundingSource, lines: tuple[LineCost, ...]) -> FundingPosition:
    """Available = amount - commitments; remaining = available - lines funded from it."""
    committed = sum((c.amount for c in source.commitments), Decimal(0))
    available = source.amount - committed
    allocated = sum((x.amount for x in lines if x.funding_source == source.name), Decimal(0))
    return FundingPosition(
        source.name,
        source.amount,
        committed,
        available,
        allocated,
        available - allocated,
        source.printed_available,
    )


def _cost_lines(plan: CostPlan) -> tuple[LineCost, ...]:
    costed = []
    for group in plan.groups:
        for line in group.lines:
            amount, basis = line_amount(line)
            costed.append(
                LineCost(line.name, group.name, amount, basis, line.funding_source, line.printed)
            )
    return tuple(costed)


def _mismatches(
    lines: tuple[LineCost, ...], groups: tuple[GroupCost, ...], funding: tuple[FundingPosition, ...]
) -> tuple[str, ...]:
    found = [
        f"{x.name}: {x.amount} computed, {x.printed} printed"
        for x in lines
        if x.printed is not None and x.printed != x.amount
    ]
    found += [
        f"{g.name}: {g.total} computed, {g.printed_total} printed"
        for g in groups
        if g.printed_total is not None and g.printed_total != g.total
    ]
    found += [
        f"{f.name}: {f.available} available, {f.printed_available} printed"
        for f in funding
        if f.printed_available is not None and f.printed_available != f.available
    ]
    return tuple(found)


def cost_plan(plan: CostPlan) -> CostReport:
    """Cost every line, total every group, and balance every funding source."""
    lines = _cost_lines(plan)
    groups = tuple(
        GroupCost(
            g.name, sum((x.amount for x in lines if x.group == g.name), Decimal(0)), g.printed_total
        )
        for g in plan.groups
    )
    funding = tuple(funding_position(source, lines) for source in plan.funding)
    unfunded = sum((x.amount for x in lines if x.funding_source is None), Decimal(0))
    total = sum((x.amount for x in lines), Decimal(0))
    mismatches = _mismatches(lines, groups, funding)
    return CostReport(
        plan.title, plan.currency, lines, groups, funding, unfunded, total, mismatches
    )


def load_costs(source: str | Path) -> CostPlan:
    """Load and validate a costs file; raises PlanError naming file, path and fix."""
    return load_model(CostPlan, source)
