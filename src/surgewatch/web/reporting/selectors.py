"""Named reads for readings."""

from __future__ import annotations

from dataclasses import dataclass

from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.models import CurrentReading, Reading

Cell = tuple[str, str]  # (indicator id, area slug)


def current_status(organisation: Organisation) -> dict[Cell, Reading]:
    """The reading standing for each (indicator, area) cell: one query over CurrentReading."""
    readings = Reading.objects.filter(current_for__area__organisation=organisation).select_related(
        "area"
    )
    return {(r.indicator, r.area.slug): r for r in readings}


def cell_history(area: Area, indicator: str) -> list[Reading]:
    """Every reading of one cell, superseded ones included, oldest observation first."""
    readings = Reading.objects.filter(area=area, indicator=indicator)
    return list(readings.order_by("observed_at", "submitted_at", "pk"))


@dataclass(frozen=True)
class StandingCell:
    """A cell's standing reading and the one it replaced, for value, age and trend."""

    reading: Reading
    previous: Reading | None


def standing_cells(organisation: Organisation) -> dict[Cell, StandingCell]:
    """One query over CurrentReading: the board never scans history."""
    rows = CurrentReading.objects.filter(area__organisation=organisation).select_related(
        "area", "reading__area", "reading__submitted_by", "previous"
    )
    return {(c.indicator, c.area.slug): StandingCell(c.reading, c.previous) for c in rows}


def history_page(area: Area, indicator: str, limit: int = 200) -> list[Reading]:
    """The latest ``limit`` readings of one cell, newest first, with who submitted them."""
    readings = Reading.objects.filter(area=area, indicator=indicator).select_related(
        "submitted_by", "supersedes", "confirms"
    )
    return list(readings.order_by("-observed_at", "-submitted_at", "-pk")[:limit])
