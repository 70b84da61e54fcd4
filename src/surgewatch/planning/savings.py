"""Savings from scheme outcomes: bed days saved and admissions avoided, priced by unit costs.

Seed 003 (Lincolnshire HART, 'HART Service - Key outcomes', Dec 2015 to Aug
2017) prices what a scheme achieved with two unit costs, '£400 per bed day,
£2000 AA': 1,220 bed days x GBP 400 = GBP 488,000; 303 admission avoidances x
GBP 2,000 = GBP 606,000; total GBP 1,094,000. The 670 'further days
potentially saved' (GBP 268,000) are quoted 'in addition' and are not in that
total, so potential bed days are priced and shown but never added to it.

Unit costs are parameters of the outcomes file (examples/outcomes/ carries the
seed's values as the worked example), never constants here. Money is Decimal
so printed figures reproduce to the penny. Referrals and discharges supported
are counted and reported; the seed puts no price on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from surgewatch.core.documents import parse_model
from surgewatch.planning.loading import PLAN_FIXES, PlanError, Problem
from surgewatch.planning.plan import Frozen
from surgewatch.planning.report import money
from surgewatch.planning.tables import gbp

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Count = Annotated[int, Field(ge=0, le=10**9, strict=True)]
# Bed days may be fractional where a scheme counts half days; never negative.
Days = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


# Counts are strict whole numbers (a YAML 'yes' or '3.5' is not a count of admissions).
OUTCOME_FIXES = {
    **PLAN_FIXES,
    "int_type": "write a whole number, e.g. 303",
    "date_type": "write dates as YYYY-MM-DD",
    "date_from_datetime_inexact": "write dates as YYYY-MM-DD",
    "decimal_max_places": "write at most 2 decimal places",
    "decimal_max_digits": "write a smaller number",
    "finite_number": "write a number (not .inf or .nan)",
    "model_type": "write a mapping of keys to values, as in examples/outcomes/",
}


class UnitCosts(Frozen):
    """What one bed day and one avoided admission cost (seed 003: GBP 400 and GBP 2,000)."""

    bed_day: Money
    admission_avoided: Money
    source: str | None = None


class Period(Frozen):
    """The dates the counts cover, both inclusive (seed 003: 15 Dec 2015 to 31 Aug 2017)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("end: the period ends before it starts; fix: swap start and end")
        return self

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


class Counts(Frozen):
    """What the scheme achieved in the period."""

    referrals: Count | None = None
    discharges_supported: Count | None = None
    admissions_avoided: Count
    bed_days_saved: Days
    bed_days_potential: Days | None = None


class Printed(Frozen):
    """Figures the source prints, checked against the calculation (never used in it)."""

    bed_days: Money | None = None
    admissions: Money | None = None
    potential: Money | None = None
    total: Money | None = None


class SchemeOutcome(Frozen):
    """One scheme's outcomes over one period."""

    scheme: str = Field(min_length=1, max_length=200)
    provider: str | None = None
    period: Period
    counts: Counts
    printed: Printed = Printed()
    note: str | None = None


class Outcomes(Frozen):
    """The file behind ``surgewatch plan savings``."""

    title: str = Field(min_length=1)
    currency: str = "GBP"
    unit_costs: UnitCosts
    # Not Field(min_length=1): pydantic would report an empty list beside every bad entry.
    outcomes: tuple[SchemeOutcome, ...]
    printed_total: Money | None = None

    @model_validator(mode="after")
    def _no_overlapping_periods(self) -> Outcomes:
        if not self.outcomes:
            raise ValueError("outcomes: no outcomes; fix: add at least one scheme's outcomes")
        problems = [
            f"outcomes.{j}({b.scheme}).period: overlaps outcomes.{i} of the same scheme, so "
            "its counts would be priced twice; fix: make the periods follow one another"
            for i, a in enumerate(self.outcomes)
            for j, b in enumerate(self.outcomes)
            if i < j and a.scheme == b.scheme and a.period.overlaps(b.period)
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self


@dataclass(frozen=True)
class Priced:
    """A count priced at a unit cost; ``counted`` is False for potential savings."""

    what: str
    count: Decimal
    unit_cost: Decimal
    amount: Decimal
    counted: bool = True

    def arithmetic(self, currency: str) -> str:
        """``1,220 bed days saved x GBP 400 = GBP 488,000``."""
        return (
            f"{quantity(self.count)} {self.what} x {gbp(self.unit_cost, currency)} "
            f"= {gbp(self.amount, currency)}"
        )


@dataclass(frozen=True)
class SchemeSaving:
    """The saving of one outcome record, with its parts."""

    scheme: str
    provider: str | None
    period: Period
    referrals: int | None
    discharges_supported: int | None
    bed_days: Priced
    admissions: Priced
    potential: Priced | None
    total: Decimal

    def total_arithmetic(self, currency: str) -> str:
        """``GBP 488,000 + GBP 606,000 = GBP 1,094,000``."""
        parts = " + ".join(gbp(p.amount, currency) for p in (self.bed_days, self.admissions))
        return f"{parts} = {gbp(self.total, currency)}"


@dataclass(frozen=True)
class SavingsReport:
    """Every outcome priced, totals per scheme and overall, and printed-figure mismatches."""

    title: str
    currency: str
    unit_costs: UnitCosts
    outcomes: tuple[SchemeSaving, ...]
    by_scheme: tuple[tuple[str, Decimal], ...]
    total: Decimal
    potential_total: Decimal
    mismatches: tuple[str, ...]


def quantity(value: Decimal | int) -> str:
    """``1,220`` / ``12.5``: thousands separated, decimals only when there are any."""
    number = Decimal(value)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number.normalize():,}"


def price_outcome(outcome: SchemeOutcome, costs: UnitCosts) -> SchemeSaving:
    """Bed days x bed-day cost plus admissions avoided x admission cost (seed 003, HART)."""
    c = outcome.counts
    bed_days = _priced("bed days saved", c.bed_days_saved, costs.bed_day)
    admissions = _priced(
        "admissions avoided", Decimal(c.admissions_avoided), costs.admission_avoided
    )
    potential = None
    if c.bed_days_potential is not None:
        potential = _priced(
            "bed days potentially saved", c.bed_days_potential, costs.bed_day, counted=False
        )
    return SchemeSaving(
        outcome.scheme,
        outcome.provider,
        outcome.period,
        c.referrals,
        c.discharges_supported,
        bed_days,
        admissions,
        potential,
        bed_days.amount + admissions.amount,
    )


def _priced(what: str, count: Decimal, unit_cost: Decimal, *, counted: bool = True) -> Priced:
    return Priced(what, count, unit_cost, count * unit_cost, counted)


def calculate_savings(outcomes: Outcomes) -> SavingsReport:
    """Price every outcome; total per scheme (file order) and overall."""
    priced = tuple(price_outcome(o, outcomes.unit_costs) for o in outcomes.outcomes)
    by_scheme: dict[str, Decimal] = {}
    for saving in priced:
        by_scheme[saving.scheme] = by_scheme.get(saving.scheme, Decimal(0)) + saving.total
    total = _sum(s.total for s in priced)
    potential = _sum(s.potential.amount for s in priced if s.potential is not None)
    return SavingsReport(
        outcomes.title,
        outcomes.currency,
        outcomes.unit_costs,
        priced,
        tuple(by_scheme.items()),
        total,
        potential,
        _mismatches(outcomes, priced, total),
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _mismatches(
    outcomes: Outcomes, priced: tuple[SchemeSaving, ...], total: Decimal
) -> tuple[str, ...]:
    found = []
    for outcome, saving in zip(outcomes.outcomes, priced, strict=True):
        computed = {
            "bed_days": saving.bed_days.amount,
            "admissions": saving.admissions.amount,
            "potential": saving.potential.amount if saving.potential else None,
            "total": saving.total,
        }
        for key, printed in outcome.printed.model_dump().items():
            if printed is not None and printed != computed[key]:
                found.append(f"{outcome.scheme} {key}: {computed[key]} computed, {printed} printed")
    if outcomes.printed_total is not None and outcomes.printed_total != total:
        found.append(f"total: {total} computed, {outcomes.printed_total} printed")
    return tuple(found)


def unknown_schemes(
    outcomes: Outcomes, plan_schemes: Collection[str], filename: str
) -> list[Problem]:
    """Every outcome naming a scheme the plan does not have, with the plan's names as the fix."""
    known = ", ".join(sorted(plan_schemes)) or "(the plan has no schemes)"
    return [
        Problem(
            filename,
            f"outcomes.{i}({o.scheme}).scheme",
            f"'{o.scheme}' is not a scheme of the plan; fix: use one of {known}",
        )
        for i, o in enumerate(outcomes.outcomes)
        if o.scheme not in plan_schemes
    ]


Row = tuple[str, str, str, str, Decimal]


def savings_rows(report: SavingsReport) -> list[Row]:
    """One row per priced line (scheme, period, outcome, arithmetic, amount), then the total."""
    cur = report.currency
    rows: list[Row] = []
    for s in report.outcomes:
        period = f"{s.period.start.isoformat()} to {s.period.end.isoformat()}"
        for part in (s.bed_days, s.admissions):
            rows.append((s.scheme, period, part.what, part.arithmetic(cur), part.amount))
        rows.append((s.scheme, period, "scheme total", s.total_arithmetic(cur), s.total))
        if s.potential is not None:
            p = s.potential
            what = f"{p.what} (not in total)"
            rows.append((s.scheme, period, what, p.arithmetic(cur), p.amount))
    rows.append(("All schemes", "", "total", _total_arithmetic(report), report.total))
    return rows


SAVINGS_HEADER = ("Scheme", "Period", "Outcome", "Arithmetic", "Saving")


def _total_arithmetic(report: SavingsReport) -> str:
    parts = " + ".join(gbp(s.total, report.currency) for s in report.outcomes)
    return f"{parts} = {gbp(report.total, report.currency)}"


def savings_json(report: SavingsReport) -> dict[str, Any]:
    """JSON-ready: unit costs, each outcome with its parts and arithmetic, totals, mismatches."""
    cur = report.currency
    return {
        "title": report.title,
        "currency": cur,
        "unit_costs": {
            "bed_day": money(report.unit_costs.bed_day),
            "admission_avoided": money(report.unit_costs.admission_avoided),
            "source": report.unit_costs.source,
        },
        "outcomes": [_outcome_json(s, cur) for s in report.outcomes],
        "by_scheme": [{"scheme": n, "total": money(t)} for n, t in report.by_scheme],
        "total": money(report.total),
        "potential_not_in_total": money(report.potential_total),
        "mismatches": list(report.mismatches),
    }


def _outcome_json(s: SchemeSaving, currency: str) -> dict[str, Any]:
    parts = {"bed_days": s.bed_days, "admissions": s.admissions, "potential": s.potential}
    return {
        "scheme": s.scheme,
        "provider": s.provider,
        "period": {"start": s.period.start.isoformat(), "end": s.period.end.isoformat()},
        "referrals": s.referrals,
        "discharges_supported": s.discharges_supported,
        **{
            key: None
            if p is None
            else {
                "count": money(p.count),
                "unit_cost": money(p.unit_cost),
                "amount": money(p.amount),
                "arithmetic": p.arithmetic(currency),
            }
            for key, p in parts.items()
        },
        "total": money(s.total),
        "arithmetic": s.total_arithmetic(currency),
    }


def load_outcomes(source: str | Path) -> Outcomes:
    """Load and validate an outcomes file; raises PlanError naming file, path and fix."""
    path = Path(source)
    if not path.is_file():
        raise PlanError([Problem(str(source), "", "no such file; fix: check the path")])
    return parse_outcomes(path.read_text(encoding="utf-8"), str(path))


def parse_outcomes(text: str, filename: str) -> Outcomes:
    """Validate YAML ``text`` as an outcomes file, naming ``filename`` in every problem."""
    # An impossible date (2015-13-15) is reported, with its line, by the shared YAML reader.
    return parse_model(Outcomes, text, filename, PlanError, OUTCOME_FIXES)
