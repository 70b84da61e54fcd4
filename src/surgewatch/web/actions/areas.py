"""Each area's acting level, recorded as it moves.

Seed 000, section 8: 'Actions ... will be triggered by the OPEL status of Kent
County Council, the Area or region.' An area's level is the pack's rule over
its own cells after the hold (``levels.Levels.areas``), raised to the
organisation's declared level when that is higher (``Levels.area_acting``).
Each change is a row; the service that writes it opens and stands down the
cards of the pack's area-scoped roles in that area (``services``).
"""

from __future__ import annotations

from datetime import datetime

from surgewatch.web.actions.levels import Levels
from surgewatch.web.actions.models import LevelChange, LevelChangeSource
from surgewatch.web.orgs.models import Area, Organisation


def record_area_levels(
    org: Organisation, levels: Levels, cause: str, now: datetime
) -> list[LevelChange]:
    changes = []
    for area in org.areas.filter(active=True).order_by("pk"):
        change = _area_change(org, area, levels, cause, now)
        if change is not None:
            changes.append(change)
    return changes


def _area_change(
    org: Organisation, area: Area, levels: Levels, cause: str, now: datetime
) -> LevelChange | None:
    last = LevelChange.objects.filter(area=area).order_by("-at", "-pk").first()
    before = last.to_level if last else None
    level = levels.area_acting(area.slug)
    if level is None or level == before:
        return None
    return LevelChange.objects.create(
        organisation=org,
        area=area,
        at=now,
        from_level=before,
        to_level=level,
        engine_level=levels.areas.get(area.slug),
        declared_level=levels.declared,
        source=source_of(cause, level, levels.declared),
        framework=org.framework,
    )


def source_of(cause: str, acting: int, declared: int | None) -> str:
    """'Declaration' when a declaration set the level; otherwise the indicators did."""
    if cause == LevelChangeSource.DECLARATION and declared == acting:
        return LevelChangeSource.DECLARATION
    return LevelChangeSource.ENGINE


def driving_areas(org: Organisation, levels: dict[str, int], level: int) -> list[str]:
    """Names of the areas at ``level`` or above, in the organisation's order."""
    areas = org.areas.filter(active=True, slug__in=levels).order_by("pk")
    return [area.name for area in areas if levels[area.slug] >= level]
