"""Plan an organisation's demonstration history: who reported what, when, and what was declared.

No Django and no clock: ``now`` and the random generator come in, plain
records go out, and :mod:`surgewatch.web.demo.loader` stores them. The rhythm
follows the pack's schedule (:mod:`surgewatch.web.demo.rhythm`): Kent's first
assessment is in by 10:00 (seed 000, section 3.1), so reports arrive between
09:00 and 09:55 London time, and on days at OPEL 3 or 4 a second update comes
in the afternoon window (section 8, Appendix 3: 14:00-15:30). The service
manager declares the organisation's level 'according to available trend
data' (section 8), so a declaration sometimes departs from the suggestion,
with a reason. The last two days carry late and missing reports, so the board
has something to chase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from surgewatch.core.assess import OrganisationResult, organisation_result
from surgewatch.core.bands import BandTable, Cell, CellStatus
from surgewatch.core.pack import Pack
from surgewatch.web.demo.rhythm import SPREAD_MINUTES, rhythm_of
from surgewatch.web.demo.walk import SLOTS_PER_DAY, Season, pressure_paths, typo_of, values_for

REPORT, AMENDMENT, CONFIRMATION = "report", "amendment", "confirmation"  # ReadingKind values
AMEND_RATE = 0.015  # share of morning reports keyed wrongly, then corrected
CONFIRM_RATE = 0.05  # share of area-mornings answered with 'no change since last report'
DIFFER_RATE = 0.35  # share of first mornings at a new suggestion the manager records a hold
LATE_SHARE = 0.12  # cells reporting late on the last day
MISSING_SHARE = 0.08  # cells missing on each of the last two days
CLEAN_DAYS = 2  # the last days have no typos, so what the board shows is what came in
DECLARE_FROM = time(10, 15)  # declarations follow the 10:00 first assessment (section 3.1)

Key = tuple[str, str]  # (indicator id, area slug)


@dataclass(frozen=True)
class PlannedReading:
    """One row of history; ``link`` is the index of the row it supersedes or confirms."""

    indicator: str
    area: str
    value: float
    observed_at: datetime
    submitted_at: datetime
    reporter: str
    kind: str = REPORT
    link: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class PlannedDeclaration:
    level: int
    suggested_level: int | None
    score: float | None
    reason: str
    declared_by: str
    declared_at: datetime


@dataclass(frozen=True)
class History:
    readings: tuple[PlannedReading, ...]
    declarations: tuple[PlannedDeclaration, ...]


@dataclass(frozen=True)
class Cast:
    """Who acts in one organisation: the logins that report each cell, and the declarer."""

    reporters: Mapping[Key, Sequence[str]]
    declarer: str


def plan_history(
    pack: Pack,
    table: BandTable,
    cast: Cast,
    season: Season,
    days: int,
    now: datetime,
    rng: np.random.Generator,
) -> History:
    """``days`` local days of history ending at ``now``; nothing is dated after ``now``."""
    planner = _Planner(pack, table, cast, season, days, now, rng)
    for day in range(days):
        planner.plan_day(day)
    return History(tuple(planner.readings), tuple(planner.declarations))


class _Planner:
    def __init__(
        self,
        pack: Pack,
        table: BandTable,
        cast: Cast,
        season: Season,
        days: int,
        now: datetime,
        rng: np.random.Generator,
    ) -> None:
        self.pack, self.cast, self.now, self.rng = pack, cast, now, rng
        self.zone = ZoneInfo(pack.schedule.timezone)
        self.rhythm = rhythm_of(pack.schedule)
        today = now.astimezone(self.zone).date()
        self.dates = [today - timedelta(days=days - 1 - d) for d in range(days)]
        self.cells = [c for c in table.cells if c.status is not CellStatus.NOT_MONITORED]
        self._check_cast()
        pressure = pressure_paths(season, len(self.cells), [d.weekday() for d in self.dates], rng)
        self.values = np.vstack(
            [values_for(c, p) for c, p in zip(self.cells, pressure, strict=True)]
        )
        self.late, self.missing = self._quiet_cells(days)
        self.readings: list[PlannedReading] = []
        self.declarations: list[PlannedDeclaration] = []
        self.standing: dict[int, int] = {}  # cell number -> index of the row now standing
        self.declared: int | None = None
        self.pending: int | None = None  # a new suggestion seen on one morning so far
        self._times: dict[tuple[int, str, str, int], tuple[datetime, datetime]] = {}

    def _check_cast(self) -> None:
        unreported = [_key(c) for c in self.cells if not self.cast.reporters.get(_key(c))]
        if unreported:
            raise ValueError(f"no demo login reports {unreported}; fix: add a persona")

    def _quiet_cells(self, days: int) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """Cells late on the last day, and cells missing on each of the last two days."""
        n, last = len(self.cells), days - 1
        n_late, n_missing = max(1, round(LATE_SHARE * n)), max(1, round(MISSING_SHARE * n))
        order = self.rng.permutation(n)
        late = {(last, int(c)) for c in order[:n_late]}
        missing = {(last, int(c)) for c in order[n_late : n_late + n_missing]}
        if days > 1:
            missing |= {(last - 1, int(c)) for c in self.rng.choice(n, n_missing, replace=False)}
        return late, missing

    # --- one day -----------------------------------------------------------------

    def plan_day(self, day: int) -> None:
        confirming = self._confirming_areas(day)
        for number, cell in enumerate(self.cells):
            if (day, number) not in self.missing:
                self._morning(day, number, cell, cell.area in confirming)
        if self._declare(day) >= 3:
            for number, cell in enumerate(self.cells):
                if (day, number) not in self.missing:
                    self._afternoon(day, number, cell)

    def _confirming_areas(self, day: int) -> set[str]:
        """Areas whose teams answer 'no change' this morning (never on the first day)."""
        areas = sorted({c.area for c in self.cells})
        draws = self.rng.random(len(areas))
        return {a for a, u in zip(areas, draws, strict=True) if day > 0 and u < CONFIRM_RATE}

    def _morning(self, day: int, number: int, cell: Cell, confirming: bool) -> None:
        reporter = self._reporter(day, cell)
        observed, submitted = self._slot_time(day, 0, cell.area, reporter, (day, number))
        if submitted > self.now:
            return
        value = float(self.values[number, SLOTS_PER_DAY * day])
        if confirming and number in self.standing:
            self._confirm(number, cell, observed, submitted, reporter)
        elif not self._typo_then_amend(day, number, cell, value, (observed, submitted), reporter):
            self._add(number, PlannedReading(*_key(cell), value, observed, submitted, reporter))

    def _afternoon(self, day: int, number: int, cell: Cell) -> None:
        reporter = self._reporter(day, cell)
        observed, submitted = self._slot_time(day, 1, cell.area, reporter, (day, number))
        if submitted <= self.now:
            value = float(self.values[number, SLOTS_PER_DAY * day + 1])
            self._add(number, PlannedReading(*_key(cell), value, observed, submitted, reporter))

    def _reporter(self, day: int, cell: Cell) -> str:
        """Rota: which of the cell's reporters is on duty; the same pick for a whole area-day."""
        team = self.cast.reporters[_key(cell)]
        return team[(day + sum(map(ord, cell.area))) % len(team)]

    def _slot_time(
        self, day: int, slot: int, area: str, reporter: str, day_cell: tuple[int, int]
    ) -> tuple[datetime, datetime]:
        """Observed and submitted times; one submission per area, reporter, day and slot.

        The slots follow the pack's schedule (see :mod:`surgewatch.web.demo.rhythm`);
        late cells on the last day come in after the deadlines.
        """
        late = day_cell in self.late
        key = (day, area, reporter, slot + 2 * late)
        if key not in self._times:
            start = (self.rhythm.late if late else self.rhythm.on_time)[slot]
            minutes = int(self.rng.integers(0, SPREAD_MINUTES + 1))
            observed = self._at(self.dates[day], start) + timedelta(minutes=minutes)
            self._times[key] = observed, observed + timedelta(minutes=int(self.rng.integers(1, 5)))
        return self._times[key]

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    # --- kinds of row ---------------------------------------------------------------

    def _add(self, number: int, reading: PlannedReading) -> int:
        self.readings.append(reading)
        self.standing[number] = len(self.readings) - 1
        return self.standing[number]

    def _confirm(
        self, number: int, cell: Cell, observed: datetime, submitted: datetime, reporter: str
    ) -> None:
        """'No change': repeat the standing value, pointing at the row that measured it."""
        standing = self.readings[self.standing[number]]
        origin = self.standing[number] if standing.kind != CONFIRMATION else standing.link
        confirmation = PlannedReading(
            *_key(cell), standing.value, observed, submitted, reporter, CONFIRMATION, origin
        )
        self._add(number, confirmation)

    def _typo_then_amend(
        self,
        day: int,
        number: int,
        cell: Cell,
        value: float,
        when: tuple[datetime, datetime],
        reporter: str,
    ) -> bool:
        """Now and then a value is keyed wrongly and corrected within the hour, with a reason."""
        if day >= len(self.dates) - CLEAN_DAYS or self.rng.random() >= AMEND_RATE:
            return False
        typo = typo_of(cell.indicator, value)
        corrected_at = when[1] + timedelta(minutes=int(self.rng.integers(10, 41)))
        if typo is None or corrected_at > self.now:
            return False
        original = self._add(number, PlannedReading(*_key(cell), typo, *when, reporter))
        reason = f"Typo: {typo:g} was keyed for {value:g}; corrected from the team's sheet."
        amendment = PlannedReading(
            *_key(cell), value, when[0], corrected_at, reporter, AMENDMENT, original, reason
        )
        self._add(number, amendment)
        return True

    # --- the organisation's level -------------------------------------------------

    def _declare(self, day: int) -> int:
        """Record the manager's declaration, if any; returns the level in force for the afternoon.

        Seed 000, section 8: the level is declared 'according to available trend
        data'. A new suggestion is followed once it holds for a second morning;
        on its first morning the manager sometimes records staying put, with a reason.
        """
        result = organisation_result(self.pack, self._standing_levels())
        suggested = result.suggested_level
        if suggested is None or suggested == self.declared:
            self.pending = None
        elif self.declared is None or self.pending == suggested:
            self._record(day, suggested, result, "")
        else:
            self.pending = suggested
            if self.rng.random() < DIFFER_RATE:
                self._record(day, self.declared, result, _hold_reason(self.declared, suggested))
        return self.declared or suggested or 1

    def _standing_levels(self) -> dict[Key, int]:
        levels = {}
        for number, cell in enumerate(self.cells):
            if number in self.standing:
                level = cell.level(self.readings[self.standing[number]].value)
                if level is not None:
                    levels[_key(cell)] = level
        return levels

    def _record(self, day: int, level: int, result: OrganisationResult, reason: str) -> None:
        minutes = int(self.rng.integers(0, 31))
        declared_at = self._at(self.dates[day], DECLARE_FROM) + timedelta(minutes=minutes)
        if declared_at > self.now:
            return
        suggested, score, declarer = result.suggested_level, result.score, self.cast.declarer
        self.declarations.append(
            PlannedDeclaration(level, suggested, score, reason, declarer, declared_at)
        )
        self.declared = level
        if level == suggested:
            self.pending = None


def _hold_reason(current: int, suggested: int) -> str:
    if suggested < current:
        return (
            f"Holding OPEL {current}: the suggestion fell to OPEL {suggested} this morning, "
            "but the trend has not settled; stand down if it stays down tomorrow."
        )
    return (
        f"Staying at OPEL {current}: the rise to OPEL {suggested} rests on one morning's "
        "reports and the trend data does not support escalating yet; reviewed tomorrow."
    )


def _key(cell: Cell) -> Key:
    return cell.indicator.id, cell.area
