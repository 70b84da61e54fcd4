"""The level an organisation acts at, and when its action deadlines fall.

Two sources move the level (issue 4): the engine, through each cell's
de-escalation hold, and a person's declaration. The acting level is the higher
of the two, so:

- a declaration above the engine escalates at once (a person may see pressure
  the indicators do not yet show);
- the engine rising above the declaration escalates at once;
- a declaration below the engine's held level takes effect only when the hold
  has passed, which is seed 000, section 8: 'Each indicator will be maintained
  at a lower level ... before the step down of appropriate actions'.

Nothing here reads the clock; callers pass ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from surgewatch.core.hysteresis import HoldState
from surgewatch.core.levels import suggested_level, worst_by_indicator
from surgewatch.core.pack import Action, Pack

Cell = tuple[str, str]  # (indicator, area)
Observation = tuple[datetime, int | None]


def held_cell_levels(
    pack: Pack, history: Mapping[Cell, Sequence[Observation]], now: datetime
) -> dict[Cell, int]:
    """Each cell's standing level at ``now`` after its indicator's hold.

    ``history`` holds, per cell and in time order, the readings inside the
    hold window plus the last one before it opened (the one then in force).
    """
    held: dict[Cell, int] = {}
    for cell, observations in history.items():
        state = HoldState(timedelta(hours=pack.indicator(cell[0]).hold_hours))
        for at, level in observations:
            state, _ = state.observe(at, level)
        state, _ = state.advance(now)
        if state.standing is not None:
            held[cell] = state.standing
    return held


def engine_level(pack: Pack, held: Mapping[Cell, int]) -> int | None:
    """The pack's suggestion rule over the held cell levels."""
    return suggested_level(pack.suggested_level, worst_by_indicator(held))


def acting_level(engine: int | None, declared: int | None) -> int | None:
    """The higher of the engine's held level and the latest declaration."""
    known = [level for level in (engine, declared) if level is not None]
    return max(known, default=None)


def hold_window_opens(pack: Pack, now: datetime) -> datetime:
    """The earliest moment any indicator's hold still looks back to."""
    longest = max(i.hold_hours for i in pack.indicators)
    return now - timedelta(hours=longest)


def first_deadline(action: Action, opened_at: datetime, tz: ZoneInfo) -> datetime | None:
    """When an action opened at ``opened_at`` is first due, in UTC terms.

    ``due_within_hours`` counts from the opening (seed 000, section 8: inform
    the referrer within 2 hours); ``due_by`` is a daily wall-clock time in the
    pack's zone (update SHREWD by 10:30), the next one after opening.
    """
    if action.due_within_hours is not None:
        return opened_at + timedelta(hours=action.due_within_hours)
    if action.due_by is not None:
        return next_daily(action.due_by, opened_at, tz)
    return None


def next_daily(clock: str, after: datetime, tz: ZoneInfo) -> datetime:
    """The first ``clock`` (HH:MM, local wall time) strictly after ``after``."""
    wall = time.fromisoformat(clock)
    day = after.astimezone(tz).date()
    for offset in range(3):
        candidate = datetime.combine(day + timedelta(days=offset), wall, tzinfo=tz)
        if candidate > after:
            return candidate.astimezone(after.tzinfo)
    raise AssertionError("a daily time always recurs within two days")


def is_recurring(action: Action) -> bool:
    """A ``due_by`` action is due every day while its level stands."""
    return action.due_by is not None and action.due_within_hours is None
