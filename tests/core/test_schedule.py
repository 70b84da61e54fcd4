"""Reporting deadlines and staleness (seed 000 section 3.1 and Appendix 3; DESIGN.md 'Time')."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from surgewatch.core.loader import load_pack
from surgewatch.core.pack import ReportingWindow, Schedule
from surgewatch.core.schedule import (
    Deadline,
    ReportState,
    Staleness,
    deadlines_on,
    next_deadline,
    report_state,
    windows_at,
)

LONDON = ZoneInfo("Europe/London")
KENT = load_pack("kent-ascch").schedule
WINTER = date(2026, 1, 14)
SUMMER = date(2026, 7, 1)
FIRST = "First assessment"
MORNING = "Morning SHREWD update"
AFTERNOON = "Afternoon SHREWD update"


def local(day: date, clock: str) -> datetime:
    """An instant given as London wall-clock time (never in a gap or fold here)."""
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def every_level(*windows: ReportingWindow, grace: int = 30) -> Schedule:
    return Schedule(grace_minutes=grace, levels={lvl: list(windows) for lvl in (1, 2, 3, 4)})


def state_at(level: int | None, reports: list[datetime], now: datetime) -> Staleness:
    return report_state(KENT, level, reports, now)


# --- deadlines in UTC ---------------------------------------------------------------------------


def test_winter_deadlines_are_utc_wall_clock() -> None:
    assert deadlines_on(KENT, 3, WINTER) == [
        Deadline(FIRST, utc(2026, 1, 14), utc(2026, 1, 14, 10), utc(2026, 1, 14, 10, 30)),
        Deadline(MORNING, utc(2026, 1, 14), utc(2026, 1, 14, 10, 30), utc(2026, 1, 14, 11)),
        Deadline(AFTERNOON, utc(2026, 1, 14, 14), utc(2026, 1, 14, 15, 30), utc(2026, 1, 14, 16)),
    ]


def test_summer_deadlines_are_an_hour_earlier_in_utc() -> None:
    assert [(d.opens_at, d.due_at) for d in deadlines_on(KENT, 2, SUMMER)] == [
        (utc(2026, 6, 30, 23), utc(2026, 7, 1, 9)),
        (utc(2026, 6, 30, 23), utc(2026, 7, 1, 9, 30)),
    ]


@pytest.mark.parametrize(
    ("day", "opens_at", "due_at"),
    [
        (date(2026, 3, 28), utc(2026, 3, 28), utc(2026, 3, 28, 10)),
        (date(2026, 3, 29), utc(2026, 3, 29), utc(2026, 3, 29, 9)),  # clocks go forward 01:00Z
        (date(2026, 3, 30), utc(2026, 3, 29, 23), utc(2026, 3, 30, 9)),
        (date(2026, 10, 24), utc(2026, 10, 23, 23), utc(2026, 10, 24, 9)),
        (date(2026, 10, 25), utc(2026, 10, 24, 23), utc(2026, 10, 25, 10)),  # back at 01:00Z
        (date(2026, 10, 26), utc(2026, 10, 26), utc(2026, 10, 26, 10)),
    ],
)
def test_clock_change_days(day: date, opens_at: datetime, due_at: datetime) -> None:
    (first,) = deadlines_on(KENT, 1, day)
    assert (first.opens_at, first.due_at, first.grace_ends_at) == (
        opens_at,
        due_at,
        due_at + timedelta(minutes=30),
    )


def test_a_time_in_the_skipped_hour_moves_forward_by_the_gap() -> None:
    night = every_level(ReportingWindow(name="Night", due="01:30"))
    (deadline,) = deadlines_on(night, 1, date(2026, 3, 29))
    assert deadline.due_at == utc(2026, 3, 29, 1, 30)
    assert deadline.due_at.astimezone(LONDON).isoformat() == "2026-03-29T02:30:00+01:00"


def test_a_time_in_the_repeated_hour_is_its_first_occurrence() -> None:
    night = every_level(ReportingWindow(name="Night", due="01:30"))
    (deadline,) = deadlines_on(night, 1, date(2026, 10, 25))
    assert deadline.due_at == utc(2026, 10, 25, 0, 30)
    assert deadline.due_at.astimezone(LONDON).isoformat() == "2026-10-25T01:30:00+01:00"


def test_deadlines_come_in_order_of_deadline_whatever_the_pack_order() -> None:
    shuffled = every_level(
        ReportingWindow(name="Later", due="12:00"), ReportingWindow(name="Sooner", due="09:00")
    )
    assert [d.window_name for d in deadlines_on(shuffled, 1, WINTER)] == ["Sooner", "Later"]


# --- level 1: first assessment by 10:00 -----------------------------------------------------


def test_report_before_ten_is_on_time() -> None:
    assert state_at(1, [local(WINTER, "09:40")], local(WINTER, "10:05")) == Staleness(
        ReportState.ON_TIME, FIRST, utc(2026, 1, 14, 10), utc(2026, 1, 15, 10)
    )


@pytest.mark.parametrize(
    ("clock", "state"),
    [
        ("00:00", ReportState.DUE),
        ("08:00", ReportState.DUE),
        ("10:00", ReportState.DUE),
        ("10:05", ReportState.LATE),
        ("10:30", ReportState.LATE),
        ("10:31", ReportState.MISSING),
        ("23:59", ReportState.MISSING),
    ],
)
def test_no_report_today(clock: str, state: ReportState) -> None:
    result = state_at(1, [], local(WINTER, clock))
    assert (result.state, result.window_name, result.due_at) == (state, FIRST, utc(2026, 1, 14, 10))


def test_a_report_at_the_deadline_is_on_time() -> None:
    assert state_at(1, [local(WINTER, "10:00")], local(WINTER, "10:01")).state == "on_time"


def test_a_report_in_the_grace_period_stays_late() -> None:
    reports = [local(WINTER, "10:10")]
    assert state_at(1, reports, local(WINTER, "10:15")).state == ReportState.LATE
    assert state_at(1, reports, local(WINTER, "18:00")).state == ReportState.LATE


def test_a_report_after_the_grace_period_turns_missing_into_late() -> None:
    reports = [local(WINTER, "11:00")]
    assert state_at(1, reports, local(WINTER, "10:45")).state == ReportState.MISSING
    assert state_at(1, reports, local(WINTER, "11:05")).state == ReportState.LATE


def test_a_later_update_does_not_undo_an_on_time_report() -> None:
    reports = [local(WINTER, "12:00"), local(WINTER, "09:40")]
    assert state_at(1, reports, local(WINTER, "12:05")).state == ReportState.ON_TIME


def test_yesterdays_report_does_not_count_for_today() -> None:
    reports = [local(WINTER - timedelta(days=1), "15:00")]
    assert state_at(1, reports, local(WINTER, "09:00")).state == ReportState.DUE
    assert state_at(1, reports, local(WINTER, "10:45")).state == ReportState.MISSING


def test_a_report_before_the_day_starts_in_summer_is_yesterdays() -> None:
    reports = [utc(2026, 6, 30, 22, 59)]  # 23:59 BST on 30 June
    assert state_at(1, reports, utc(2026, 7, 1, 9, 5)).state == ReportState.LATE


def test_reports_after_now_are_ignored() -> None:
    assert state_at(1, [local(WINTER, "10:20")], local(WINTER, "10:05")).state == "late"


def test_now_in_any_time_zone_gives_utc_answers() -> None:
    result = state_at(1, [], local(SUMMER, "10:05"))
    assert result == Staleness(ReportState.LATE, FIRST, utc(2026, 7, 1, 9), utc(2026, 7, 2, 9))
    assert result.due_at is not None and result.due_at.tzinfo is UTC


def test_no_level_is_level_one() -> None:
    now = local(WINTER, "10:05")
    assert state_at(None, [], now) == state_at(1, [], now)


# --- levels 2 and 3: SHREWD updates -----------------------------------------------------------


def test_opel_two_one_early_report_meets_both_morning_deadlines() -> None:
    assert state_at(2, [local(WINTER, "09:40")], local(WINTER, "10:45")) == Staleness(
        ReportState.ON_TIME, "SHREWD update", utc(2026, 1, 14, 10, 30), utc(2026, 1, 15, 10)
    )


def test_opel_two_report_after_ten_is_on_time_for_shrewd() -> None:
    # The first assessment was late, but the cell is fresh for the 10:30 deadline.
    reports = [local(WINTER, "10:15")]
    assert state_at(1, reports, local(WINTER, "10:20")).state == ReportState.LATE
    assert state_at(2, reports, local(WINTER, "10:20")).state == ReportState.ON_TIME


def test_opel_three_afternoon_window_needs_its_own_report() -> None:
    reports = [local(WINTER, "09:40"), local(WINTER, "13:50")]
    assert state_at(3, reports, local(WINTER, "13:55")) == Staleness(
        ReportState.ON_TIME, MORNING, utc(2026, 1, 14, 10, 30), utc(2026, 1, 14, 15, 30)
    )
    today, tomorrow = utc(2026, 1, 14, 15, 30), utc(2026, 1, 15, 10)
    for clock, state, next_due in [
        ("14:30", "due", today),
        ("15:40", "late", tomorrow),
        ("16:01", "missing", tomorrow),
    ]:
        assert state_at(3, reports, local(WINTER, clock)) == Staleness(
            ReportState(state), AFTERNOON, today, next_due
        )


def test_opel_three_afternoon_report_in_the_window_is_on_time() -> None:
    reports = [local(WINTER, "09:40"), local(WINTER, "14:10")]
    assert state_at(3, reports, local(WINTER, "15:00")).state == ReportState.ON_TIME


def test_opel_three_the_worst_unreported_window_is_shown() -> None:
    cases = [
        ("10:05", ReportState.LATE, FIRST),
        ("10:35", ReportState.MISSING, FIRST),
        ("12:00", ReportState.MISSING, MORNING),
        ("15:40", ReportState.MISSING, MORNING),
    ]
    for clock, state, window in cases:
        result = state_at(3, [], local(WINTER, clock))
        assert (result.state, result.window_name) == (state, window)


def test_windows_at_lists_each_window_in_play() -> None:
    reports = [local(WINTER, "10:10")]
    statuses = windows_at(KENT, 3, reports, local(WINTER, "14:30"))
    assert [(s.deadline.window_name, s.state, s.reported_at) for s in statuses] == [
        (FIRST, ReportState.LATE, utc(2026, 1, 14, 10, 10)),
        (MORNING, ReportState.ON_TIME, utc(2026, 1, 14, 10, 10)),
        (AFTERNOON, ReportState.DUE, None),
    ]


# --- next deadline --------------------------------------------------------------------------


def test_next_deadline_rolls_to_tomorrow_after_the_last_window() -> None:
    assert next_deadline(KENT, 3, local(WINTER, "15:30")) == utc(2026, 1, 14, 15, 30)
    assert next_deadline(KENT, 3, local(WINTER, "15:31")) == utc(2026, 1, 15, 10)


def test_next_deadline_across_the_march_change() -> None:
    assert next_deadline(KENT, 1, utc(2026, 3, 28, 17)) == utc(2026, 3, 29, 9)
    assert next_deadline(KENT, 1, utc(2026, 10, 24, 17)) == utc(2026, 10, 25, 10)


# --- schedules other than Kent's --------------------------------------------------------------


def test_not_due_before_a_window_opens() -> None:
    shift = every_level(ReportingWindow(name="Day shift", opens="08:00", due="09:00"))
    assert report_state(shift, 1, [], local(WINTER, "07:00")) == Staleness(
        ReportState.NOT_DUE, None, None, utc(2026, 1, 14, 9)
    )


def test_a_level_without_windows_is_never_due() -> None:
    quiet = Schedule(levels={1: [], 2: [], 3: [], 4: []})
    assert report_state(quiet, 2, [], local(WINTER, "12:00")) == Staleness(
        ReportState.NOT_DUE, None, None, None
    )


def test_a_late_evening_deadline_keeps_its_grace_past_midnight() -> None:
    evening = every_level(ReportingWindow(name="Evening", opens="22:00", due="23:50"))
    after_midnight = local(WINTER, "00:10")
    assert report_state(evening, 1, [], after_midnight) == Staleness(
        ReportState.LATE, "Evening", utc(2026, 1, 13, 23, 50), utc(2026, 1, 14, 23, 50)
    )
    assert report_state(evening, 1, [], local(WINTER, "00:21")).state == ReportState.NOT_DUE


# --- validation -----------------------------------------------------------------------------


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        report_state(KENT, 1, [], datetime(2026, 1, 14, 10))


def test_naive_report_is_refused() -> None:
    with pytest.raises(ValueError, match="reports must be timezone-aware"):
        report_state(KENT, 1, [datetime(2026, 1, 14, 9)], utc(2026, 1, 14, 10))


@pytest.mark.parametrize("level", [0, 5])
def test_unknown_level_is_refused(level: int) -> None:
    with pytest.raises(ValueError, match=f"unknown level {level}; fix: use one of 1, 2, 3, 4"):
        deadlines_on(KENT, level, WINTER)


def test_unknown_time_zone_is_refused() -> None:
    nowhere = Schedule(timezone="Europe/Atlantis", levels=KENT.levels)
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Atlantis'"):
        deadlines_on(nowhere, 1, WINTER)


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31))
levels = st.sampled_from([1, 2, 3, 4])
minutes_of_day = st.integers(min_value=0, max_value=23 * 60)
PROGRESSION = [ReportState.NOT_DUE, ReportState.DUE, ReportState.LATE, ReportState.MISSING]


def _at(day: date, minute: int) -> datetime:
    # Minutes after local midnight, counted in UTC so clock-change days stay exact.
    return deadlines_on(KENT, 1, day)[0].opens_at + timedelta(minutes=minute)


@given(days, levels)
def test_deadlines_strictly_increase_within_a_day(day: date, level: int) -> None:
    deadlines = deadlines_on(KENT, level, day)
    dues = [d.due_at for d in deadlines]
    assert dues == sorted(set(dues))
    assert all(d.opens_at < d.due_at < d.grace_ends_at for d in deadlines)


@given(days, levels)
def test_deadlines_convert_back_to_the_configured_wall_clock(day: date, level: int) -> None:
    expected = [(day, w.due) for w in KENT.levels[level]]
    found = [deadline.due_at.astimezone(LONDON) for deadline in deadlines_on(KENT, level, day)]
    assert [(t.date(), t.strftime("%H:%M")) for t in found] == expected


@given(days, levels, st.lists(minutes_of_day, max_size=3), minutes_of_day, minutes_of_day)
def test_state_only_worsens_until_the_next_window_opens(
    day: date, level: int, report_minutes: list[int], first: int, second: int
) -> None:
    t1, t2 = sorted((_at(day, first), _at(day, second)))
    reports = [r for r in (_at(day, m) for m in report_minutes) if r <= t1]
    opens = [d.opens_at for d in deadlines_on(KENT, level, day)]
    assume(t2.astimezone(LONDON).date() == day)
    assume(not any(t1 < o <= t2 for o in opens))
    before, after = (report_state(KENT, level, reports, t).state for t in (t1, t2))
    if before in PROGRESSION:
        assert PROGRESSION.index(after) >= PROGRESSION.index(before)
    else:
        assert after == before


@given(days, levels, minutes_of_day)
def test_next_deadline_is_the_first_at_or_after_now(day: date, level: int, minute: int) -> None:
    now = _at(day, minute)
    upcoming = [
        d.due_at
        for offset in (0, 1)
        for d in deadlines_on(KENT, level, day + timedelta(days=offset))
        if d.due_at >= now
    ]
    assert next_deadline(KENT, level, now) == upcoming[0]
