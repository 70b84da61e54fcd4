"""The organisation's acting level over time, and the actions each change brings.

Each indicator-area keeps its own de-escalation hold (the pack's
``hold_hours``, seed 000 section 8). The organisation's level is the pack's
suggestion rule applied to the held levels, so a single good day never stands
actions down. When that level moves, the event lists the actions that start
and those that stand down, per role, from the pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from surgewatch.core.actions import RoleAction, transition
from surgewatch.core.hysteresis import HoldState
from surgewatch.core.levels import suggested_level, worst_by_indicator
from surgewatch.core.pack import Pack

Cell = tuple[str, str]


@dataclass(frozen=True)
class EscalationEvent:
    """The organisation's acting level moved at ``at``."""

    kind: Literal["escalation", "de-escalation"]
    from_level: int | None
    to_level: int
    at: datetime
    started: tuple[RoleAction, ...]
    stood_down: tuple[RoleAction, ...]


@dataclass(frozen=True)
class EscalationTracker:
    """Immutable tracker: each step returns a new tracker and the event, if any."""

    pack: Pack
    holds: Mapping[Cell, HoldState] = field(default_factory=lambda: MappingProxyType({}))
    level: int | None = None

    def observe(
        self, indicator: str, area: str, at: datetime, level: int | None
    ) -> tuple[EscalationTracker, EscalationEvent | None]:
        """Feed one classified reading (in time order per cell)."""
        hours = self.pack.indicator(indicator).hold_hours
        state = self.holds.get((indicator, area), HoldState(timedelta(hours=hours)))
        state, _ = state.observe(at, level)
        return self._with({**self.holds, (indicator, area): state}, at)

    def advance(self, now: datetime) -> tuple[EscalationTracker, EscalationEvent | None]:
        """Let time pass: holds may complete and actions stand down without a new reading."""
        return self._with({cell: s.advance(now)[0] for cell, s in self.holds.items()}, now)

    def _with(
        self, holds: dict[Cell, HoldState], at: datetime
    ) -> tuple[EscalationTracker, EscalationEvent | None]:
        held = {cell: s.standing for cell, s in holds.items() if s.standing is not None}
        level = suggested_level(self.pack.suggested_level, worst_by_indicator(held))
        tracker = replace(self, holds=MappingProxyType(holds), level=level)
        if level is None or level == self.level:
            return tracker, None
        change = transition(self.pack, self.level, level)
        kind: Literal["escalation", "de-escalation"] = (
            "escalation" if self.level is None or level > self.level else "de-escalation"
        )
        return tracker, EscalationEvent(
            kind, self.level, level, at, change.started, change.stood_down
        )
