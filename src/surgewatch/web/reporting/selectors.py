"""Named reads for readings."""

from __future__ import annotations

from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.reporting.models import Reading

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
