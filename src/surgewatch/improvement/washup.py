"""The discharge wash-up board's arithmetic (issue 7; seed 003, Kent 'Acute Hospital
Optimisation'): the blocker Pareto, cases whose expected outcome falls short of the
ideal, overdue actions, and DTOC delayed days per 100,000 population.

Pure: no clock, no database. The outcome order, the managed blocker list and the DTOC
attributions are data (``data/washup.yaml``), loaded and validated by ``load_washup``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from surgewatch.core.documents import COMMON_FIXES, DocumentError, Problem, parse_model

__all__ = [
    "AttributionRate",
    "DelayRecord",
    "ParetoRow",
    "WashupData",
    "WashupDataError",
    "delayed_days",
    "delayed_days_per_population",
    "is_overdue",
    "load_washup",
    "pareto",
    "shortfall",
]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
BUNDLED = "surgewatch.improvement.data"


class WashupDataError(DocumentError):
    """The wash-up data file failed to load; ``problems`` lists every reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outcome(_Strict):
    id: Slug
    name: str
    note: str = ""
    retired: bool = False


class Blocker(_Strict):
    id: Slug
    name: str
    attribution: Slug
    source: str = ""
    free_text_required: bool = False
    retired: bool = False


class Attribution(_Strict):
    id: Slug
    name: str


class WashupData(_Strict):
    """Outcomes best first, the managed blocker list, and DTOC attributions."""

    source: str
    outcomes: list[Outcome] = Field(min_length=2)
    blockers: list[Blocker] = Field(min_length=1)
    attributions: list[Attribution] = Field(min_length=1)
    per_population: int = Field(gt=0)

    @model_validator(mode="after")
    def _ids_unique_and_known(self) -> WashupData:
        for name in ("outcomes", "blockers", "attributions"):
            ids = [item.id for item in getattr(self, name)]
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{name}: ids {repeated} appear twice; fix: make each id unique")
        known = {a.id for a in self.attributions}
        for blocker in self.blockers:
            if blocker.attribution not in known:
                raise ValueError(
                    f"blockers.{blocker.id}.attribution '{blocker.attribution}' is not an "
                    f"attribution; fix: use one of {sorted(known)}"
                )
        return self

    def rank(self, outcome: str) -> int:
        """Position in the order, 0 the best (seed 003: 'the best outcome for each person')."""
        for position, item in enumerate(self.outcomes):
            if item.id == outcome:
                return position
        raise KeyError(f"unknown outcome '{outcome}'; fix: use one of {self.outcome_ids()}")

    def outcome_ids(self) -> list[str]:
        return [o.id for o in self.outcomes]

    def blocker(self, blocker_id: str) -> Blocker:
        for item in self.blockers:
            if item.id == blocker_id:
                return item
        known = [b.id for b in self.blockers]
        raise KeyError(f"unknown blocker '{blocker_id}'; fix: use one of {known}")


def load_washup(source: str | Path | None = None) -> WashupData:
    """The bundled ``washup.yaml`` (or ``source``), validated; every problem at once."""
    if source is None:
        path = Path(str(resources.files(BUNDLED) / "washup.yaml"))
    else:
        path = Path(source)
        if not path.is_file():
            raise WashupDataError([Problem(str(source), "", "no such file; fix: check the path")])
    return parse_model(
        WashupData, path.read_text(encoding="utf-8"), str(path), WashupDataError, COMMON_FIXES
    )


# --- the weekly improvement cycle ---------------------------------------------------------


@dataclass(frozen=True)
class ParetoRow:
    """One blocker's share of the cases: seed 003, 'SWIFT report showing blocker pareto'."""

    blocker: str
    count: int
    share: float  # of all cases counted, 0-1
    cumulative: float  # this and every larger blocker, 0-1


def pareto(blockers: Iterable[str], order: Iterable[str] = ()) -> list[ParetoRow]:
    """Blockers by count, largest first, with each one's share and the running share.

    Ties keep ``order`` (the managed list's order), then alphabetical, so the chart is
    stable from week to week.
    """
    counts = Counter(blockers)
    total = sum(counts.values())
    position = {b: i for i, b in enumerate(order)}
    ranked = sorted(counts, key=lambda b: (-counts[b], position.get(b, len(position)), b))
    rows, running = [], 0
    for blocker in ranked:
        running += counts[blocker]
        rows.append(ParetoRow(blocker, counts[blocker], counts[blocker] / total, running / total))
    return rows


def shortfall(data: WashupData, ideal: str, expected: str) -> int:
    """Steps by which the expected outcome falls short of the ideal (0: it does not).

    Seed 003: the board records 'Ideal outcome' and 'Expected outcome' so the team can
    'understand and address the biggest issues preventing the most appropriate outcome';
    a case expected to end further down the outcome order than its ideal falls short.
    """
    return max(0, data.rank(expected) - data.rank(ideal))


def is_overdue(deadline: date | None, done_on: date | None, today: date) -> bool:
    """An action is overdue once its deadline day has passed and it is not done."""
    return deadline is not None and done_on is None and deadline < today


# --- DTOC: delayed days per 100,000 population --------------------------------------------


def delayed_days(fit_on: date | None, discharged_on: date | None, start: date, end: date) -> int:
    """Days in ``start``..``end`` (inclusive) that a person was fit for discharge but
    still in hospital: from the day they were fit up to the day before discharge.

    DTOC counts a delayed day for each day a person ready for transfer stays; the day
    they leave is not delayed. Without a discharge the delay runs to ``end``.
    """
    if fit_on is None or end < start:
        return 0
    last = discharged_on - timedelta(days=1) if discharged_on is not None else end
    first, last = max(fit_on, start), min(last, end)
    return max(0, (last - first).days + 1)


@dataclass(frozen=True)
class DelayRecord:
    """One case's delayed days in the period, with its area and attribution."""

    area: str
    attribution: str
    days: int


@dataclass(frozen=True)
class AttributionRate:
    """Delayed days of one area and attribution, and per ``per`` population."""

    area: str
    attribution: str  # an attribution id, or 'total'
    days: int
    rate: float | None  # None when the area's population is not known


def delayed_days_per_population(
    records: Iterable[DelayRecord],
    populations: Mapping[str, int | None],
    attributions: Iterable[str],
    per: int = 100_000,
) -> list[AttributionRate]:
    """Per area (in ``populations``' order) and attribution, then the area's total:
    delayed days and days per ``per`` population, as the DTOC comparisons put them
    (seed 003: 'delayed days (per 100k) for social care'; 'NHS, Social Care, Joint,
    total')."""
    kinds = list(attributions)
    days: Counter[tuple[str, str]] = Counter()
    for record in records:
        if record.attribution not in kinds:
            raise ValueError(f"attribution '{record.attribution}' is not one of {kinds}")
        days[(record.area, record.attribution)] += record.days
    rows = []
    for area, population in populations.items():
        for kind in [*kinds, "total"]:
            total = sum(days[(area, k)] for k in kinds) if kind == "total" else days[(area, kind)]
            rows.append(AttributionRate(area, kind, total, _rate(total, population, per)))
    return rows


def _rate(days: int, population: int | None, per: int) -> float | None:
    if population is None:
        return None
    if population <= 0:
        raise ValueError(f"population must be a positive whole number, not {population}")
    return days * per / population
