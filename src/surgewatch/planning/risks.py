"""Risk register (seed 002 'Risk register'): cause, event, effect, scores, reviews.

Scores are likelihood x impact, 1-5 each, for inherent, residual and target.
Seed 002 prints them as e.g. '15 (5x3)'; across its rows the first factor stays
fixed as mitigations act (5x5 -> 5x3 -> 5x2), so it is read as impact and the
second as likelihood. The review 'today' is passed in, never read from a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from surgewatch.planning.loading import load_model
from surgewatch.planning.plan import Frozen


class Score(Frozen):
    """Likelihood and impact, 1-5 each."""

    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)

    @property
    def value(self) -> int:
        """Likelihood x impact (1-25)."""
        return self.likelihood * self.impact


class Risk(Frozen):
    """One risk: if (cause), then (event), resulting in (effect)."""

    title: str
    cause: str
    event: str
    effect: str
    owner: str
    mitigations: tuple[str, ...] = ()
    updated: dt.date | None = None
    review_date: dt.date
    target_date: dt.date | None = None
    inherent: Score
    residual: Score
    target: Score


class Band(Frozen):
    """A rating band: scores from ``minimum`` upwards (until the next band)."""

    name: str
    minimum: int = Field(ge=1, le=25)


class Register(Frozen):
    """The file behind ``surgewatch plan risks``."""

    title: str
    bands: tuple[Band, ...] = Field(min_length=1)
    risks: tuple[Risk, ...] = Field(min_length=1)


@dataclass(frozen=True)
class RiskStatus:
    """A risk's scores, rating and whether its review is overdue on ``today``."""

    title: str
    owner: str
    inherent: int
    residual: int
    target: int
    rating: str
    review_date: dt.date
    overdue_days: int


@dataclass(frozen=True)
class RegisterReport:
    """Every risk's status and a 5x5 heat map of residual scores."""

    title: str
    today: dt.date
    risks: tuple[RiskStatus, ...]
    heat_map: tuple[tuple[int, ...], ...]  # [impact-1][likelihood-1] -> number of risks


def rating(bands: tuple[Band, ...], score: int) -> str:
    """The highest band whose minimum the score reaches."""
    reached = [b for b in sorted(bands, key=lambda b: b.minimum) if score >= b.minimum]
    return reached[-1].name if reached else "unrated"


def heat_map(risks: tuple[Risk, ...]) -> tuple[tuple[int, ...], ...]:
    """Counts of residual scores by impact (rows) and likelihood (columns)."""
    grid = [[0] * 5 for _ in range(5)]
    for risk in risks:
        grid[risk.residual.impact - 1][risk.residual.likelihood - 1] += 1
    return tuple(tuple(row) for row in grid)


def assess_register(register: Register, today: dt.date) -> RegisterReport:
    """Score, rate and check reviews of every risk as at ``today``."""
    statuses = tuple(
        RiskStatus(
            r.title,
            r.owner,
            r.inherent.value,
            r.residual.value,
            r.target.value,
            rating(register.bands, r.residual.value),
            r.review_date,
            max((today - r.review_date).days, 0),
        )
        for r in register.risks
    )
    return RegisterReport(register.title, today, statuses, heat_map(register.risks))


def load_register(source: str | Path) -> Register:
    """Load and validate a risk register; raises PlanError naming file, path and fix."""
    return load_model(Register, source)
