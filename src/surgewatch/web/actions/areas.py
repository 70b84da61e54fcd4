"""Each area's own level, recorded as it moves.

Seed 000, section 8: 'Actions ... will be triggered by the OPEL status of Kent
County Council, the Area or region.' An area's level is the pack's rule over
its own cells after the hold (``levels.Levels.areas``). The organisation's rule
takes each indicator's worst area, so no area stands above the organisation:
the organisation's cards carry the actions, and these rows (and the level
change message) say which areas drove it.
"""

from __future__ import annotations

from datetime import datetime

from surgewatch.web.actions.models import LevelChange, LevelChangeSource
from surgewatch.web.orgs.models import Area, Organisation


def record_area_levels(
    org: Organisation, levels: dict[str, int], now: datetime
) -> list[LevelChange]:
    changes = []
    for area in org.areas.filter(active=True).order_by("pk"):
        change = _area_change(org, area, levels.get(area.slug), now)
        if change is not None:
            changes.append(change)
    return changes


def _area_change(
    org: Organisation, area: Area, level: int | None, now: datetime
) -> LevelChange | None:
    last = LevelChange.objects.filter(area=area).order_by("-at", "-pk").first()
    before = last.to_level if last else None
    if level is None or level == before:
        return None
    return LevelChange.objects.create(
        organisation=org,
        area=area,
        at=now,
        from_level=before,
        to_level=level,
        engine_level=level,
        source=LevelChangeSource.ENGINE,
        framework=org.framework,
    )


def driving_areas(org: Organisation, levels: dict[str, int], level: int) -> list[str]:
    """Names of the areas at ``level`` or above, in the organisation's order."""
    areas = org.areas.filter(active=True, slug__in=levels).order_by("pk")
    return [area.name for area in areas if levels[area.slug] >= level]
