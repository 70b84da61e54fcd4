"""When the pack's multi-agency calls are held, per level (seed 000, section 5.1).

Seed 000, section 5.1: the Whole System Escalation Teleconference calls 'are
held and increased and decreased in frequency according to the operational
pressures being faced', and the LHE calls' frequency is 'agreed locally
according to the operational pressures'. The pack writes that down as local
wall-clock times per level on the working days given (``SystemCall``); this
module only reads it.

Pure functions: no database, no clock. ``now`` and the time zone are passed
in and every datetime returned is aware and in UTC (DESIGN.md, 'Time').
A local time skipped or repeated at a clock change resolves as
``surgewatch.core.schedule`` does (fold=0, through UTC); Kent's call times
(09:00-16:00) are never affected.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from surgewatch.core.pack import Pack, SystemCall

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
# How far ahead to look for the next call: a week covers every weekly pattern.
LOOKAHEAD_DAYS = 8
TIMES_IN_WORDS = {1: "Once a day", 2: "Twice a day", 3: "Three times a day"}


@dataclass(frozen=True)
class CallPlan:
    """One call of the pack as the calls page shows it at the acting level."""

    call: SystemCall
    level: int
    per_day: int
    frequency: str
    next_at: datetime | None


def level_key(level: int | None) -> int:
    """No acting level yet reads as OPEL 1, business as usual (as core.schedule does)."""
    return 1 if level is None else level


def call_times(call: SystemCall, level: int | None, day: date, tz: tzinfo) -> list[datetime]:
    """The call's times on one local day at ``level``, in UTC, earliest first.

    Empty on a day the call is not held (seed 000, 5.1: 'Monday to Friday').
    """
    if WEEKDAYS[day.weekday()] not in call.days:
        return []
    return sorted(_instant(tz, day, clock) for clock in call.times[level_key(level)])


def next_call_at(call: SystemCall, level: int | None, now: datetime, tz: tzinfo) -> datetime | None:
    """The first time the call is held at or after ``now`` at ``level``, or None if never."""
    today = now.astimezone(tz).date()
    for offset in range(LOOKAHEAD_DAYS):
        upcoming = [t for t in call_times(call, level, today + timedelta(offset), tz) if t >= now]
        if upcoming:
            return upcoming[0]
    return None


def next_calls(pack: Pack, level: int | None, now: datetime) -> list[CallPlan]:
    """Every call of the pack, in the pack's order, with how often and when next at ``level``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware; fix: pass a datetime with tzinfo=UTC")
    zone = ZoneInfo(pack.schedule.timezone)
    return [_plan(call, level_key(level), now, zone) for call in pack.calls]


def _plan(call: SystemCall, level: int, now: datetime, zone: ZoneInfo) -> CallPlan:
    per_day = len(call.times[level])
    return CallPlan(
        call, level, per_day, frequency(call, level), next_call_at(call, level, now, zone)
    )


def frequency(call: SystemCall, level: int | None) -> str:
    """How often, in words: 'Twice a day (09:30, 14:30), Monday to Friday'."""
    clocks = sorted(call.times[level_key(level)])
    if not clocks:
        return f"Not held at OPEL {level_key(level)}"
    often = TIMES_IN_WORDS.get(len(clocks), f"{len(clocks)} times a day")
    return f"{often} ({', '.join(clocks)}), {days_in_words(call.days)}"


def days_in_words(days: Collection[str]) -> str:
    """'Monday to Friday' for a run of days, otherwise the days listed."""
    ordered = [d for d in WEEKDAYS if d in days]
    if len(ordered) == len(WEEKDAYS):
        return "every day"
    start = WEEKDAYS.index(ordered[0]) if ordered else 0
    is_run = len(ordered) > 2 and ordered == list(WEEKDAYS[start : start + len(ordered)])
    if is_run:
        return f"{DAY_NAMES[ordered[0]]} to {DAY_NAMES[ordered[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in ordered)


def _instant(tz: tzinfo, day: date, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz).astimezone(UTC)
