"""The acting level, recomputed from stored readings and declarations.

Reads only the hold window (the longest ``hold_hours`` in the pack) and the
one reading per cell in force when it opened, so the cost does not grow with
history. The rule itself is ``surgewatch.core.acting``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from surgewatch.core.acting import (
    Cell,
    Observation,
    acting_level,
    engine_level,
    held_cell_levels,
    hold_window_opens,
)
from surgewatch.core.pack import Pack
from surgewatch.web.escalation.selectors import latest_declaration
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.reporting.models import CurrentReading, Reading


@dataclass(frozen=True)
class Levels:
    engine: int | None
    declared: int | None
    # Each area's held engine level. Areas are not declared (seed 000, section 8
    # has KCC's level declared), so this is an area's acting level.
    areas: dict[str, int] = field(default_factory=dict)

    @property
    def acting(self) -> int | None:
        return acting_level(self.engine, self.declared)

    def area_acting(self, area: str) -> int | None:
        """An area's level for its area-scoped roles: its own held level, or the
        organisation's declared level when higher (a declaration is county-wide:
        seed 000, section 8, actions follow 'the OPEL status of Kent County Council')."""
        return acting_level(self.areas.get(area), self.declared)


def levels_now(organisation: Organisation, pack: Pack, now: datetime) -> Levels:
    held = held_cell_levels(pack, _history(organisation, pack, now), now)
    declaration = latest_declaration(organisation)
    declared = declaration.level if declaration and declaration.declared_at <= now else None
    return Levels(engine_level(pack, held), declared, _by_area(pack, held))


def _by_area(pack: Pack, held: dict[Cell, int]) -> dict[str, int]:
    """Each area's level by the pack's rule over its own held cells."""
    by_area: dict[str, dict[Cell, int]] = defaultdict(dict)
    for cell, level in held.items():
        by_area[cell[1]][cell] = level
    levels = {area: engine_level(pack, cells) for area, cells in by_area.items()}
    return {area: level for area, level in levels.items() if level is not None}


def _history(
    organisation: Organisation, pack: Pack, now: datetime
) -> dict[Cell, list[Observation]]:
    opens = hold_window_opens(pack, now)
    history: dict[Cell, list[Observation]] = defaultdict(list)
    for cell, observation in _in_force_at(organisation, opens):
        history[cell].append(observation)
    rows = (
        _effective(organisation)
        .filter(observed_at__gt=opens, observed_at__lte=now)
        .order_by("observed_at", "pk")
        .values_list("indicator", "area__slug", "observed_at", "level")
    )
    for indicator, area, at, level in rows:
        history[(indicator, area)].append((at, level))
    return history


def _effective(organisation: Organisation) -> QuerySet[Reading]:
    """Readings with a level that no amendment has replaced."""
    return Reading.objects.filter(
        area__organisation=organisation, superseded_by__isnull=True, level__isnull=False
    )


def _in_force_at(organisation: Organisation, at: datetime) -> list[tuple[Cell, Observation]]:
    """Per cell, the last reading at or before ``at``: the one in force when the window opened."""
    cells = CurrentReading.objects.filter(area__organisation=organisation).values_list(
        "indicator", "area_id", "area__slug"
    )
    found = []
    for indicator, area_id, slug in cells:
        last = (
            _effective(organisation)
            .filter(area_id=area_id, indicator=indicator, observed_at__lte=at)
            .order_by("-observed_at", "-pk")
            .values_list("observed_at", "level")
            .first()
        )
        if last is not None:
            found.append(((indicator, slug), (last[0], last[1])))
    return found
