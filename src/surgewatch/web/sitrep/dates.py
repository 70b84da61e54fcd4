"""Which moment a SitRep describes, from the date people ask for.

Issue 4: 'one click (and ``surgewatch sitrep --date``) produces the daily
SitRep'. The SitRep for a date is as at 10:30 UK time that day: after the
first assessment, due by 10:00 (seed 000, section 3.1), and at the deadline
for updating SHREWD 'by 10.30 am' (seed 000, section 8 and Appendix 3), so it
reports the morning's readings. Today's SitRep before 10:30 is as at now.
'Yesterday' is the same wall-clock time the day before (23 or 25 hours
earlier across a clock change), so consecutive daily SitReps cover every
hour once.

Nothing here reads the clock: callers pass ``now``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SITREP_TIME = time(10, 30)
DATE_FORMAT_HINT = "YYYY-MM-DD, for example 2026-01-05"
# Far enough back for any record; keeps 'the day before' inside what datetime can hold.
EARLIEST = date(2000, 1, 1)


class SitRepDateError(ValueError):
    """A requested date that has no SitRep; the message says what is wrong and the fix."""


def parse_sitrep_date(text: str | None, today: date) -> date:
    """``text`` as a SitRep date (today when empty), refusing impossible and future dates."""
    if text is None or not text.strip():
        return today
    day = _iso_date(text.strip())
    check_not_future(day, today)
    return day


def _iso_date(text: str) -> date:
    # Only the one form people are told to write (fromisoformat also takes 20260105).
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise SitRepDateError(f"'{text}' is not a date; fix: write it as {DATE_FORMAT_HINT}")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise SitRepDateError(
            f"'{text}' is not a real date; fix: check the day and month ({DATE_FORMAT_HINT})"
        ) from None
    if day < EARLIEST:
        raise SitRepDateError(f"{text} is before {EARLIEST.year}; fix: choose a later date")
    return day


def check_not_future(day: date, today: date) -> None:
    """A SitRep reports what has happened, so a date after today is refused."""
    if day > today:
        raise SitRepDateError(
            f"{day.isoformat()} is in the future (today is {today.isoformat()} in UK time); "
            "fix: choose today or an earlier date"
        )


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def sitrep_moment(day: date, now: datetime, zone: ZoneInfo) -> datetime:
    """Today's SitRep is as at ``now``, so one click shows what has just happened;
    an earlier day's is as at 10:30 in ``zone``, the record the daily call read.

    In UTC: Python subtracts two times of one zone on the wall clock, so an
    aware time in Europe/London would hide the clock change from arithmetic.
    """
    today = local_today(now, zone)
    check_not_future(day, today)
    if day == today:
        return now.astimezone(UTC)
    return datetime.combine(day, SITREP_TIME, tzinfo=zone).astimezone(UTC)


def day_before(at: datetime, zone: ZoneInfo) -> datetime:
    """The same wall-clock time a day earlier: what 'since yesterday' compares against.

    Arithmetic on an aware datetime keeps its wall-clock time, so this is 23
    or 25 hours before ``at`` across a clock change, not always 24.
    """
    local = at.astimezone(zone)
    return (local - timedelta(days=1)).astimezone(UTC)
