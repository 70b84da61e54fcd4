"""The status board: organisations and areas against indicators, from standing readings.

Each cell carries its value, level and colour (as the engine stored them),
age, and trend against the reading it replaced, read from CurrentReading so
the board's cost does not grow with history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from surgewatch.core.pack import Direction, Indicator, Pack
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
    trend: Trend = Trend.NEW
    better: bool | None = None

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


@dataclass
class OrganisationBoard:
    status: OrganisationStatus
    indicators: list[Indicator]
    rows: list[BoardRow] = field(default_factory=list)


def organisation_board(organisation: Organisation, filters: BoardFilters) -> OrganisationBoard:
    status = organisation_status(organisation)
    standing = standing_cells(organisation)
    board = OrganisationBoard(status, list(status.pack.indicators))
    for area in status.pack.organisation.areas:
        if filters.area and area.id != filters.area:
            continue
        cells = [_cell(ind, area.id, standing.get((ind.id, area.id))) for ind in board.indicators]
        if any((c.level or 0) >= filters.min_level for c in cells) or filters.min_level == 0:
            board.rows.append(BoardRow(area.id, area.name, cells))
    return board


def _cell(indicator: Indicator, area: str, standing: StandingCell | None) -> BoardCell:
    if standing is None or standing.previous is None:
        return BoardCell(indicator, area, standing)
    change = standing.reading.value - standing.previous.value
    if change == 0:
        return BoardCell(indicator, area, standing, Trend.STEADY)
    rising = change > 0
    better = rising == (indicator.direction == Direction.HIGHER_IS_BETTER)
    return BoardCell(indicator, area, standing, Trend.RISING if rising else Trend.FALLING, better)


def area_choices(pack: Pack) -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in pack.organisation.areas]
