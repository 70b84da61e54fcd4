"""When demonstration reports arrive, read from the pack's reporting schedule.

Teams report in the hour before a deadline: Kent's first assessment is due by
10:00 (seed 000, section 3.1), so morning reports arrive 09:00-09:55; its
afternoon SHREWD update opens at 14:00 (Appendix 3), so afternoon reports
arrive 14:00-14:55. A late report arrives after every morning deadline (after
Kent's 10:30 SHREWD update, which an 09:xx report also meets), or after the
afternoon one, so the board has to call it late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from surgewatch.core.pack import ReportingWindow, Schedule

SPREAD_MINUTES = 55  # submissions start anywhere in the 55 minutes after a slot opens
LEAD = timedelta(minutes=60)  # on time: within the hour before the deadline
LATE_BY = timedelta(minutes=5)


@dataclass(frozen=True)
class Rhythm:
    """Local times at which the morning and afternoon slots open, on time and late."""

    on_time: tuple[time, time]
    late: tuple[time, time]


def rhythm_of(schedule: Schedule) -> Rhythm:
    """Slots from the busiest level's windows (OPEL 4: morning and afternoon updates)."""
    windows = sorted(schedule.levels[max(schedule.levels)], key=lambda w: w.due)
    first, last = windows[0], windows[-1]
    morning_due = (
        max(_clock(w.due) for w in windows[:-1]) if len(windows) > 1 else _clock(first.due)
    )
    on_time = (_shift(_clock(first.due), -LEAD), _opening(last))
    late = (_shift(morning_due, LATE_BY), _shift(_clock(last.due), LATE_BY))
    return Rhythm(on_time, late)


def _opening(window: ReportingWindow) -> time:
    if window.opens is not None:
        return _clock(window.opens)
    return _shift(_clock(window.due), -LEAD)


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)


def _shift(clock: time, by: timedelta) -> time:
    return (datetime.combine(date(2000, 1, 2), clock) + by).time()  # wraps past midnight
