"""The organisation's status when an entry is recorded, kept on the entry as JSON.

Seed 000, Appendix 4: OPEL is 'a consistent measure alongside the National
Quality Board DRA framework', and the parameters of each pillar are used 'to
consistently monitor changes in OPEL and the impact of any actions taken'. So
every entry keeps the level and the indicators that stood when it was made,
captured from the stored readings, never typed, and never recomputed: later
readings do not change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from surgewatch.core.pack import Pack
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import OrganisationStatus
from surgewatch.web.reporting.models import Reading

Json = dict[str, Any]


def capture(status: OrganisationStatus, now: datetime) -> Json:
    """The JSON kept on an entry: framework, declared and suggested level, every cell."""
    result = status.result
    return {
        "captured_at": now.isoformat(),
        "framework": {"pack_id": status.pack.id, "version": status.pack.version},
        "standing_level": status.standing_level,
        "declared": _declared(status.declaration),
        "suggested_level": result.suggested_level,
        "score": result.score,
        "score_level": result.score_level,
        "indicator_levels": dict(result.indicator_levels),
        "cells": _cells(status.pack, status.cells),
    }


def _declared(declaration: Declaration | None) -> Json | None:
    if declaration is None:
        return None
    return {
        "level": declaration.level,
        "by": declaration.declared_by.get_username(),
        "at": declaration.declared_at.isoformat(),
        "reason": declaration.reason,
    }


def _cells(pack: Pack, cells: dict[tuple[str, str], Reading]) -> list[Json]:
    """Every standing cell in the pack's order: indicators, then areas."""
    area_names = {a.id: a.name for a in pack.organisation.areas}
    rows = []
    for indicator in pack.indicators:
        for area_id, area_name in area_names.items():
            reading = cells.get((indicator.id, area_id))
            if reading is not None:
                rows.append(_cell(indicator.id, indicator.name, area_id, area_name, reading))
    return rows


def _cell(indicator: str, indicator_name: str, area: str, area_name: str, r: Reading) -> Json:
    return {
        "indicator": indicator,
        "indicator_name": indicator_name,
        "area": area,
        "area_name": area_name,
        "value": r.value,
        "level": r.level,
        "colour": r.colour,
        "observed_at": r.observed_at.isoformat(),
    }


@dataclass(frozen=True)
class SnapshotCell:
    indicator: str
    indicator_name: str
    area: str
    area_name: str
    value: float
    level: int | None
    colour: str
    observed_at: datetime


@dataclass(frozen=True)
class DeclaredLevel:
    level: int
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class IndicatorLevel:
    indicator: str
    name: str
    level: int


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot read back for a page or an export."""

    captured_at: datetime
    pack_id: str
    version: str
    standing_level: int | None
    declared: DeclaredLevel | None
    suggested_level: int | None
    score: float | None
    score_level: int | None
    indicator_levels: tuple[IndicatorLevel, ...]
    cells: tuple[SnapshotCell, ...]

    @property
    def standing_source(self) -> str:
        """Whether the standing level was declared or only suggested by the rules."""
        if self.standing_level is None:
            return "none"
        return "declared" if self.declared is not None else "suggested"


def read(data: Json) -> Snapshot:
    cells = tuple(_read_cell(c) for c in data["cells"])
    return Snapshot(
        captured_at=datetime.fromisoformat(data["captured_at"]),
        pack_id=data["framework"]["pack_id"],
        version=data["framework"]["version"],
        standing_level=data["standing_level"],
        declared=_read_declared(data["declared"]),
        suggested_level=data["suggested_level"],
        score=data["score"],
        score_level=data["score_level"],
        indicator_levels=_read_indicator_levels(data["indicator_levels"], cells),
        cells=cells,
    )


def _read_cell(cell: Json) -> SnapshotCell:
    return SnapshotCell(**{**cell, "observed_at": datetime.fromisoformat(cell["observed_at"])})


def _read_declared(declared: Json | None) -> DeclaredLevel | None:
    if declared is None:
        return None
    return DeclaredLevel(**{**declared, "at": datetime.fromisoformat(declared["at"])})


def _read_indicator_levels(
    levels: dict[str, int], cells: tuple[SnapshotCell, ...]
) -> tuple[IndicatorLevel, ...]:
    """In the order the cells keep (the pack's), named as they were at the time."""
    names = {c.indicator: c.indicator_name for c in cells}
    ordered = sorted(levels, key=lambda i: list(names).index(i) if i in names else len(names))
    return tuple(IndicatorLevel(i, names.get(i, i), levels[i]) for i in ordered)
