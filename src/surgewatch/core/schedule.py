"""Reporting deadlines and staleness: is a cell's report on time, due, late or missing?

The rules come from seed 000 and DESIGN.md 'Time':

- section 3.1: 'The first assessment must be completed no later than 10:00,
  7 days per week';
- Appendix 3: at OPEL 2 'Ensure Shrewd is updated daily before 10.30'; at
  OPEL 3 'Ensure Shrewd is updated twice daily by 10.30 am and again between
  14:00 and 15:30';
- DESIGN.md 'Time': deadlines are Europe/London wall-clock; store UTC, compute
  in local time, test across the March and October clock changes.

The pack holds the times (``schedule.levels``); this module only says what
they mean. It never reads the clock: ``now`` is passed in, and every datetime
it returns is aware and in UTC.

Semantics, for one cell (one indicator in one area) at ``now``:

- A window on local day D opens at its ``opens`` time, or at local midnight
  when it has none ('by 10:30' means any report that day up to 10:30). So at
  OPEL 2 one report before 10:00 meets both the 10:00 and the 10:30 deadline,
  and OPEL 3 asks for two reports a day, as the plan's 'twice daily' says.
- A report counts for a window if received at or after the window opens (and
  at or before ``now``). The first such report decides the window: at or
  before the deadline, ``on_time``; after it, ``late`` (for good, even if it
  came after the grace period).
- A window with no report is ``due`` up to and including its deadline,
  ``late`` up to and including the end of the grace period, then ``missing``.
- The windows in play are today's windows that have opened, plus yesterday's
  windows still inside their grace period (for deadlines late in the evening).
  Yesterday's reports and yesterday's misses do not carry into today.
- The cell's state is that of the window concerned: the worst window still
  without a report (missing, then late, then due; ties go to the later
  deadline); if every window in play has a report, the one with the latest
  deadline. With no window in play the state is ``not_due``.
- Boundaries are inclusive: a report at 10:00:00 for a 10:00 deadline is on
  time; at exactly due + grace an unreported window is still late.

Local times that do not exist (the hour skipped in March) or happen twice (the
hour repeated in October) are resolved with ``fold=0`` and normalised by going
through UTC: a skipped 01:30 becomes 02:30 summer time (01:30 UTC), a repeated
01:30 is the first one, in summer time (00:30 UTC). Kent's times (10:00-15:30)
are never affected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from surgewatch.core.pack import ReportingWindow, Schedule


class ReportState(StrEnum):
    """Where a cell stands against its reporting schedule (see the module docstring)."""

    NOT_DUE = "not_due"
    ON_TIME = "on_time"
    DUE = "due"
    LATE = "late"
    MISSING = "missing"


@dataclass(frozen=True)
class Deadline:
    """One reporting window on one local day, as UTC instants."""

    window_name: str
    opens_at: datetime
    due_at: datetime
    grace_ends_at: datetime


@dataclass(frozen=True)
class WindowStatus:
    """One window in play at ``now``: its state and the report that settled it, if any."""

    deadline: Deadline
    state: ReportState
    reported_at: datetime | None


@dataclass(frozen=True)
class Staleness:
    """What a cell shows at ``now``: its state, the window concerned and the next deadline.

    ``window_name`` and ``due_at`` are None when the state is ``not_due``;
    ``next_due_at`` is the first deadline at or after ``now`` (None only for a
    level with no reporting windows).
    """

    state: ReportState
    window_name: str | None
    due_at: datetime | None
    next_due_at: datetime | None


_URGENCY = {ReportState.DUE: 1, ReportState.LATE: 2, ReportState.MISSING: 3}


def deadlines_on(schedule: Schedule, level: int | None, local_date: date) -> list[Deadline]:
    """The level's reporting deadlines on one local day, in order of deadline.

    Seed 000 section 3.1 and Appendix 3, as set in the pack's schedule; times
    are the schedule's local wall-clock (DESIGN.md 'Time'), returned in UTC.
    """
    zone = _zone(schedule)
    grace = timedelta(minutes=schedule.grace_minutes)
    deadlines = [_deadline(window, zone, local_date, grace) for window in _windows(schedule, level)]
    return sorted(deadlines, key=lambda d: d.due_at)


def windows_at(
    schedule: Schedule, level: int | None, reports: Iterable[datetime], now: datetime
) -> list[WindowStatus]:
    """Every window in play at ``now`` with its state, in order of deadline.

    ``reports`` are the times the cell's reports were received, in any order;
    those after ``now`` are ignored. Pass all of them, not just the latest: a
    window is settled by the first report that counts for it.
    """
    now = _aware_utc(now, "now")
    received = sorted(r for r in (_aware_utc(r, "reports") for r in reports) if r <= now)
    return [_status(d, received, now) for d in _in_play(schedule, level, now)]


def report_state(
    schedule: Schedule, level: int | None, reports: Iterable[datetime], now: datetime
) -> Staleness:
    """The cell's state at ``now`` under the schedule for the current ``level``.

    ``level`` is the organisation's current level (None is read as level 1).
    Rules: seed 000 section 3.1 and Appendix 3; semantics in the module docstring.
    """
    statuses = windows_at(schedule, level, reports, now)
    next_due = next_deadline(schedule, level, now)
    concerned = _concerned(statuses)
    if concerned is None:
        return Staleness(ReportState.NOT_DUE, None, None, next_due)
    deadline = concerned.deadline
    return Staleness(concerned.state, deadline.window_name, deadline.due_at, next_due)


def next_deadline(schedule: Schedule, level: int | None, now: datetime) -> datetime | None:
    """The first deadline at or after ``now`` (today's or tomorrow's)."""
    now = _aware_utc(now, "now")
    today = now.astimezone(_zone(schedule)).date()
    days = (today, today + timedelta(days=1))
    upcoming = [d.due_at for day in days for d in deadlines_on(schedule, level, day)]
    return min((due for due in upcoming if due >= now), default=None)


def _windows(schedule: Schedule, level: int | None) -> Sequence[ReportingWindow]:
    key = 1 if level is None else level
    if key not in schedule.levels:
        known = ", ".join(str(lvl) for lvl in sorted(schedule.levels))
        raise ValueError(f"unknown level {level!r}; fix: use one of {known} (or None for 1)")
    return schedule.levels[key]


def _zone(schedule: Schedule) -> ZoneInfo:
    try:
        return ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone '{schedule.timezone}'; fix: use an IANA name such as Europe/London"
        ) from exc


def _deadline(window: ReportingWindow, zone: ZoneInfo, day: date, grace: timedelta) -> Deadline:
    due_at = _instant(zone, day, window.due)
    opens_at = _instant(zone, day, window.opens or "00:00")
    return Deadline(window.name, opens_at, due_at, due_at + grace)


def _instant(zone: ZoneInfo, day: date, clock: str) -> datetime:
    # fold=0, then through UTC: a skipped time moves forward by the gap and a
    # repeated time is its first occurrence (module docstring).
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(UTC)


def _aware_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; fix: pass a datetime with tzinfo=UTC")
    return moment.astimezone(UTC)


def _in_play(schedule: Schedule, level: int | None, now: datetime) -> list[Deadline]:
    today = now.astimezone(_zone(schedule)).date()
    yesterday = deadlines_on(schedule, level, today - timedelta(days=1))
    still_in_grace = [d for d in yesterday if now <= d.grace_ends_at]
    opened = [d for d in deadlines_on(schedule, level, today) if d.opens_at <= now]
    return still_in_grace + opened


def _status(deadline: Deadline, received: Sequence[datetime], now: datetime) -> WindowStatus:
    first = next((r for r in received if r >= deadline.opens_at), None)
    if first is not None:
        state = ReportState.ON_TIME if first <= deadline.due_at else ReportState.LATE
    elif now <= deadline.due_at:
        state = ReportState.DUE
    else:
        state = ReportState.LATE if now <= deadline.grace_ends_at else ReportState.MISSING
    return WindowStatus(deadline, state, first)


def _concerned(statuses: Sequence[WindowStatus]) -> WindowStatus | None:
    pending = [s for s in statuses if s.reported_at is None]
    if pending:
        return max(pending, key=lambda s: (_URGENCY[s.state], s.deadline.due_at))
    return max(statuses, key=lambda s: s.deadline.due_at, default=None)
