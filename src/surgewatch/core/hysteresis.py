"""De-escalation with a hold: escalate at once, stand down only after the hold.

Seed 000, section 8: 'Each indicator will be maintained at a lower level ...
before the step down of appropriate actions. This will ensure that when the
actions end the risk of returning to the higher status level is reduced.'

The standing level at time ``t`` is the highest level observed in the hold
window ``(t - hold, t]``, counting the reading that was in force when the
window opened. So a rise is felt at once, and a fall only once every reading
for a whole hold period has been lower. The state is an immutable value; every
step returns a new state and the event it caused, if any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

Observation = tuple[datetime, int]


@dataclass(frozen=True)
class LevelEvent:
    """The standing level moved: actions start (escalation) or stand down."""

    kind: Literal["escalation", "de-escalation"]
    from_level: int | None
    to_level: int
    at: datetime


@dataclass(frozen=True)
class HoldState:
    """Readings still able to affect the standing level, and that level."""

    hold: timedelta
    window: tuple[Observation, ...] = ()
    standing: int | None = None

    def observe(self, at: datetime, level: int | None) -> tuple[HoldState, LevelEvent | None]:
        """Record a reading's level at ``at``; readings must arrive in time order.

        A reading with no level (not monitored, no thresholds) leaves the state alone.
        """
        if level is None:
            return self, None
        if self.window and at < self.window[-1][0]:
            raise ValueError(f"reading at {at} is older than the last one at {self.window[-1][0]}")
        return replace(self, window=(*self.window, (at, level))).advance(at)

    def advance(self, now: datetime) -> tuple[HoldState, LevelEvent | None]:
        """Let time pass to ``now``: the hold may complete without a new reading."""
        window = _prune(self.window, now - self.hold)
        if not window:
            return self, None
        standing = max(level for _, level in window)
        state = replace(self, window=window, standing=standing)
        return state, _event(self.standing, standing, now)


def _prune(window: tuple[Observation, ...], opens: datetime) -> tuple[Observation, ...]:
    """Keep readings inside the window plus the last one in force when it opened."""
    in_force = [n for n, (at, _) in enumerate(window) if at <= opens]
    return window[in_force[-1] :] if in_force else window


def _event(before: int | None, after: int, at: datetime) -> LevelEvent | None:
    if before == after:
        return None
    kind: Literal["escalation", "de-escalation"] = (
        "escalation" if before is None or after > before else "de-escalation"
    )
    return LevelEvent(kind, before, after, at)


def replay(
    hold: timedelta, observations: Sequence[tuple[datetime, int | None]]
) -> tuple[HoldState, list[LevelEvent]]:
    """Run a series of readings through a fresh state; return the end state and events."""
    state, events = HoldState(hold), []
    for at, level in observations:
        state, event = state.observe(at, level)
        if event:
            events.append(event)
    return state, events
