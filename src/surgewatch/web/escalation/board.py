"""The status board: organisations and areas against indicators, from standing readings.

Each cell carries its value, level and colour (as the engine stored them),
age, and trend against the reading it replaced, read from CurrentReading so
the board's cost does not grow with history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from surgewatch.core.pack import AreaStatus, Direction, Indicator, Pack, Schedule
from surgewatch.core.report_reminders import monitored_cells
from surgewatch.core.schedule import ReportState, Staleness, report_state
from surgewatch.web.escalation.selectors import OrganisationStatus, organisation_status
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.reporting.selectors import StandingCell, standing_cells


class Trend(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    NEW = "new"


ARROWS = {Trend.RISING: "↑", Trend.FALLING: "↓", Trend.STEADY: "→", Trend.NEW: ""}


@dataclass(frozen=True)
class BoardCell:
    indicator: Indicator
    area_slug: str
    standing: StandingCell | None
    staleness: Staleness
    trend: Trend = Trend.NEW
    better: bool | None = None
    not_reported: str = ""

    @property
    def level(self) -> int | None:
        return self.standing.reading.level if self.standing else None

    @property
    def arrow(self) -> str:
        return ARROWS[self.trend]


@dataclass(frozen=True)
class BoardRow:
    area_slug: str
    area_name: str
    cells: list[BoardCell]


@dataclass(frozen=True)
class BoardFilters:
    organisation: str = ""
    area: str = ""
    min_level: int = 0
    overdue_only: bool = False


@dataclass
class OrganisationBoard:
    status: OrganisationStatus
    indicators: list[Indicator]
    rows: list[BoardRow] = field(default_factory=list)


def organisation_board(
    organisation: Organisation, filters: BoardFilters, now: datetime
) -> OrganisationBoard:
    """The board for one organisation; ``now`` decides which reports are due, late or missing."""
    status = organisation_status(organisation)
    standing = standing_cells(organisation)
    board = OrganisationBoard(status, list(status.pack.indicators))
    clock = _Clock(status.pack.schedule, status.standing_level, now)
    monitored = set(_monitored_cells(status.pack))
    not_reported = _not_reported(status.pack)
    for area in status.pack.organisation.areas:
        if filters.area and area.id != filters.area:
            continue
        keys = [(ind.id, area.id) for ind in board.indicators]
        cells = [
            _cell(ind, area.id, standing.get(key), clock)
            if key in monitored
            else BoardCell(
                ind, area.id, standing.get(key), UNSCHEDULED, not_reported=not_reported[key]
            )
            for ind, key in zip(board.indicators, keys, strict=True)
        ]
        if _shown(cells, filters):
            board.rows.append(BoardRow(area.id, area.name, cells))
    return board


@dataclass(frozen=True)
class _Clock:
    schedule: Schedule
    level: int | None
    now: datetime

    def staleness(self, standing: StandingCell | None) -> Staleness:
        """Seed 000 section 3.1 and Appendix 3, from the last two reports of the cell.

        CurrentReading keeps the standing report and the one before it, which
        settles every window of a day with at most two windows after
        midnight-opening ones, so the board never reads history.
        """
        return report_state(self.schedule, self.level, _report_times(standing), self.now)


UNSCHEDULED = Staleness(ReportState.NOT_DUE, None, None, None)
OVERDUE = {ReportState.LATE, ReportState.MISSING}


def _report_times(standing: StandingCell | None) -> list[datetime]:
    if standing is None:
        return []
    times = [standing.reading.submitted_at]
    if standing.previous is not None:
        times.append(standing.previous.submitted_at)
    return times


def _shown(cells: list[BoardCell], filters: BoardFilters) -> bool:
    if filters.min_level and not any((c.level or 0) >= filters.min_level for c in cells):
        return False
    return not filters.overdue_only or any(c.staleness.state in OVERDUE for c in cells)


def _not_reported(pack: Pack) -> dict[tuple[str, str], str]:
    """Why a cell has no report due: the plan says N/A there, or does not list the area."""
    reasons = {}
    for ind in pack.indicators:
        for area in pack.area_ids:
            rule = ind.areas.get(area)
            if rule is None:
                reasons[(ind.id, area)] = "Not reported for this area"
            elif rule == AreaStatus.NOT_MONITORED:
                reasons[(ind.id, area)] = "Not monitored here (N/A in the plan)"
    return reasons


def _monitored_cells(pack: Pack) -> list[tuple[str, str]]:
    return monitored_cells(pack)


def _cell(
    indicator: Indicator,
    area: str,
    standing: StandingCell | None,
    clock: _Clock,
) -> BoardCell:
    staleness = clock.staleness(standing)
    if standing is None or standing.previous is None:
        return BoardCell(indicator, area, standing, staleness)
    change = standing.reading.value - standing.previous.value
    if change == 0:
        return BoardCell(indicator, area, standing, staleness, Trend.STEADY)
    rising = change > 0
    better = rising == (indicator.direction == Direction.HIGHER_IS_BETTER)
    trend = Trend.RISING if rising else Trend.FALLING
    return BoardCell(indicator, area, standing, staleness, trend, better)


def area_choices(pack: Pack) -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in pack.organisation.areas]
