"""When the multi-agency calls are held (seed 000, section 5.1), from the Kent pack.

'Teleconference calls are held and increased and decreased in frequency
according to the operational pressures', 'Monday to Friday'. The pack sets
the Whole System call at 11:00 at OPEL 2, 09:30 and 14:30 at OPEL 3. Times are
Europe/London wall-clock: the same call is 09:30 UTC in winter and 08:30 UTC
in summer, across both clock changes of 2026 (29 March, 25 October).
No database: the schedule is pure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.loader import load_pack
from surgewatch.core.pack import LEVELS, Pack, SystemCall
from surgewatch.web.calls.schedule import (
    call_times,
    days_in_words,
    frequency,
    next_call_at,
    next_calls,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 1, 5)
KENT = load_pack("kent-ascch")


@pytest.fixture
def pack() -> Pack:
    return KENT


def _call(pack: Pack, call_id: str) -> SystemCall:
    return next(c for c in pack.calls if c.id == call_id)


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_whole_system_calls_are_twice_a_weekday_at_opel_3_and_once_at_opel_2(pack: Pack) -> None:
    whole = _call(pack, "whole-system")
    weekdays = [MONDAY + timedelta(days=n) for n in range(5)]
    assert [len(call_times(whole, 3, d, LONDON)) for d in weekdays] == [2, 2, 2, 2, 2]
    assert [len(call_times(whole, 2, d, LONDON)) for d in weekdays] == [1, 1, 1, 1, 1]
    assert call_times(whole, 1, MONDAY, LONDON) == []
    assert call_times(whole, 3, MONDAY, LONDON) == [
        _utc(2026, 1, 5, 9, 30),
        _utc(2026, 1, 5, 14, 30),
    ]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("weekend", [date(2026, 1, 10), date(2026, 1, 11)])
def test_no_call_is_held_at_weekends(pack: Pack, level: int, weekend: date) -> None:
    assert [call_times(c, level, weekend, LONDON) for c in pack.calls] == [[], []]


def test_no_level_yet_reads_as_opel_1(pack: Pack) -> None:
    lhe = _call(pack, "lhe")
    assert call_times(lhe, None, MONDAY, LONDON) == [_utc(2026, 1, 5, 10, 30)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # The Friday before the March change: GMT, UK time reads as UTC.
        (date(2026, 3, 27), [_utc(2026, 3, 27, 9, 30), _utc(2026, 3, 27, 14, 30)]),
        # The Monday after: BST, an hour ahead of UTC.
        (date(2026, 3, 30), [_utc(2026, 3, 30, 8, 30), _utc(2026, 3, 30, 13, 30)]),
        # The Friday before the October change: still BST.
        (date(2026, 10, 23), [_utc(2026, 10, 23, 8, 30), _utc(2026, 10, 23, 13, 30)]),
        # The Monday after: back to GMT.
        (date(2026, 10, 26), [_utc(2026, 10, 26, 9, 30), _utc(2026, 10, 26, 14, 30)]),
    ],
)
def test_call_times_are_london_wall_clock_across_the_clock_changes(
    pack: Pack, day: date, expected: list[datetime]
) -> None:
    assert call_times(_call(pack, "whole-system"), 3, day, LONDON) == expected


def test_the_next_call_after_friday_afternoon_is_monday_in_summer_time(pack: Pack) -> None:
    friday_late = _utc(2026, 3, 27, 16, 0)
    plans = {p.call.id: p for p in next_calls(pack, 3, friday_late)}
    assert plans["whole-system"].next_at == _utc(2026, 3, 30, 8, 30)
    assert plans["lhe"].next_at == _utc(2026, 3, 30, 9, 30)
    assert (plans["whole-system"].per_day, plans["lhe"].per_day) == (2, 2)


def test_a_call_due_now_is_the_next_one(pack: Pack) -> None:
    whole = _call(pack, "whole-system")
    at = _utc(2026, 1, 5, 9, 30)
    assert next_call_at(whole, 3, at, LONDON) == at
    assert next_call_at(whole, 3, at + timedelta(seconds=1), LONDON) == _utc(2026, 1, 5, 14, 30)


def test_a_call_not_held_at_the_level_has_no_next_time(pack: Pack) -> None:
    plans = {p.call.id: p for p in next_calls(pack, 1, _utc(2026, 1, 5, 8, 0))}
    assert plans["whole-system"].next_at is None
    assert plans["whole-system"].frequency == "Not held at OPEL 1"


def test_frequency_in_words(pack: Pack) -> None:
    whole = _call(pack, "whole-system")
    assert frequency(whole, 3) == "Twice a day (09:30, 14:30), Monday to Friday"
    assert frequency(whole, 4) == "Three times a day (09:00, 12:30, 16:00), Monday to Friday"
    assert frequency(whole, 2) == "Once a day (11:00), Monday to Friday"
    assert days_in_words(["sat", "mon"]) == "Monday, Saturday"
    assert days_in_words(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) == "every day"


def test_now_must_be_aware(pack: Pack) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_calls(pack, 3, datetime(2026, 1, 5, 9, 0))


@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    level=st.sampled_from(LEVELS),
)
def test_every_call_time_is_the_packs_wall_clock_on_that_day(day: date, level: int) -> None:
    for call in KENT.calls:
        local = [t.astimezone(LONDON) for t in call_times(call, level, day, LONDON)]
        held = day.weekday() < 5
        assert [t.strftime("%H:%M") for t in local] == (sorted(call.times[level]) if held else [])
        assert {t.date() for t in local} <= {day}
