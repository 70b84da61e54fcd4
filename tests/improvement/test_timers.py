"""Placement and case timers (issue 7; seed 000, section 4 Table 2 and section 6.3).

Dates are read from a calendar: 5 January 2026 is a Monday, so week 1 of a placement
starting then is 5-11 January, week 4 starts on Monday 26 January and week 8 on
Monday 23 February.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.loader import load_pack
from surgewatch.improvement.timers import (
    COUNT_NAMES,
    CaseFacts,
    CaseworkTimers,
    Drift,
    DueState,
    NoticeState,
    PlacementFacts,
    Records,
    TimersError,
    Timing,
    counts_by_area,
    due_status,
    load_timers,
    local_date,
    notice_to_send,
    placement_status,
    timers_for,
)

MONDAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def kent() -> CaseworkTimers:
    timers = timers_for("kent-ascch")
    assert timers is not None
    return timers


# --- the bundled file carries the plan's numbers ------------------------------------------


def test_kent_timers_are_the_plans(kent: CaseworkTimers) -> None:
    p = kent.placements
    assert (p.immediate_action_after_weeks, p.disregard_period_weeks) == (3, 12)
    assert p.provider_notice_week == 8
    window = kent.care_act_assessments
    assert (window.from_weeks, window.within_weeks) == (3, 6)
    assert (kent.reviews.from_weeks, kent.reviews.within_weeks) == (0, 6)


def test_a_pack_without_timers_has_none() -> None:
    assert timers_for("example-acute-trust") is None


def test_the_indicators_fed_are_in_the_kent_pack(kent: CaseworkTimers) -> None:
    pack = load_pack("kent-ascch")
    known = {i.id for i in pack.indicators}
    assert set(kent.indicators.values()) <= known
    assert set(kent.indicators) <= set(COUNT_NAMES)
    for indicator in kent.indicators.values():
        assert pack.indicator(indicator).valid_range.min == 0


# --- assessment bed placements ------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "drift"),
    [
        (MONDAY, Drift.WITHIN),
        (date(2026, 1, 18), Drift.WITHIN),  # 8 days before week 4: not yet approaching
        (date(2026, 1, 19), Drift.APPROACHING),  # 7 days before: due soon
        (date(2026, 1, 25), Drift.APPROACHING),  # last day of week 3
        (date(2026, 1, 26), Drift.OVER),  # first day of week 4: exceeding 3 weeks
        (date(2026, 3, 1), Drift.OVER),
    ],
)
def test_a_placement_is_over_3_weeks_from_the_first_day_of_week_4(
    kent: CaseworkTimers, today: date, drift: Drift
) -> None:
    status = placement_status(PlacementFacts("dgs", MONDAY), kent.placements, today)
    assert status.drift is drift
    assert status.over_from == date(2026, 1, 26)


def test_a_closed_placement_is_not_flagged(kent: CaseworkTimers) -> None:
    ended = PlacementFacts("dgs", MONDAY, ended_on=date(2026, 2, 2))
    assert placement_status(ended, kent.placements, date(2026, 2, 10)).drift is Drift.CLOSED


@pytest.mark.parametrize(
    ("today", "notice"),
    [
        (date(2026, 2, 22), NoticeState.NOT_YET),  # last day of week 7
        (date(2026, 2, 23), NoticeState.DUE),  # week 8: Monday 23 February ...
        (date(2026, 3, 1), NoticeState.DUE),  # ... to Sunday 1 March
        (date(2026, 3, 2), NoticeState.OVERDUE),  # week 9, still not told
    ],
)
def test_the_provider_notice_falls_in_week_8(
    kent: CaseworkTimers, today: date, notice: NoticeState
) -> None:
    status = placement_status(PlacementFacts("dgs", MONDAY), kent.placements, today)
    assert status.notice is notice
    assert (status.notice_from, status.notice_by) == (date(2026, 2, 23), date(2026, 3, 1))
    # 12 weeks from Monday 5 January: the last day is Sunday 29 March.
    assert status.disregard_ends_on == date(2026, 3, 29)


def test_the_disregard_period_may_start_after_the_placement(kent: CaseworkTimers) -> None:
    later = PlacementFacts("dgs", MONDAY, disregard_starts_on=date(2026, 1, 12))
    status = placement_status(later, kent.placements, date(2026, 2, 23))
    assert status.notice is NoticeState.NOT_YET
    assert status.notice_from == date(2026, 3, 2)


def test_a_notice_is_sent_once_and_not_for_an_ended_placement(kent: CaseworkTimers) -> None:
    week_8 = date(2026, 2, 24)
    rules = kent.placements
    assert notice_to_send(PlacementFacts("dgs", MONDAY), rules, week_8)
    assert notice_to_send(PlacementFacts("dgs", MONDAY), rules, date(2026, 3, 10))  # late
    told = PlacementFacts("dgs", MONDAY, notice_sent_on=date(2026, 2, 23))
    assert not notice_to_send(told, rules, week_8)
    assert placement_status(told, rules, week_8).notice is NoticeState.SENT
    ended = PlacementFacts("dgs", MONDAY, ended_on=date(2026, 2, 1))
    assert not notice_to_send(ended, rules, week_8)
    assert placement_status(ended, rules, week_8).notice is NoticeState.NOT_NEEDED


# --- Care Act assessments and reviews ------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        (date(2026, 1, 25), DueState.NOT_YET_DUE, 21),  # recovering: week 3
        (date(2026, 1, 26), DueState.DUE, 20),  # week 4: the window opens
        (date(2026, 2, 8), DueState.DUE, 7),
        (date(2026, 2, 9), DueState.DUE_SOON, 6),  # the last 7 days
        (date(2026, 2, 15), DueState.DUE_SOON, 0),  # Sunday of week 6: last day on time
        (date(2026, 2, 16), DueState.OVERDUE, -1),
    ],
)
def test_a_care_act_assessment_is_due_3_to_6_weeks_after_discharge(
    kent: CaseworkTimers, today: date, state: DueState, days_left: int
) -> None:
    status = due_status(CaseFacts("dgs", MONDAY), kent.care_act_assessments, today)
    assert (status.state, status.days_left) == (state, days_left)
    assert (status.opens_on, status.due_by) == (date(2026, 1, 26), date(2026, 2, 15))


@pytest.mark.parametrize(
    ("done_on", "timing"),
    [
        (date(2026, 1, 20), Timing.EARLY),  # before the initial period of recovery ends
        (date(2026, 2, 15), Timing.ON_TIME),
        (date(2026, 2, 16), Timing.LATE),
    ],
)
def test_done_work_says_whether_it_was_on_time(
    kent: CaseworkTimers, done_on: date, timing: Timing
) -> None:
    status = due_status(CaseFacts("dgs", MONDAY, done_on), kent.care_act_assessments, done_on)
    assert (status.state, status.timing) == (DueState.DONE, timing)


def test_a_review_is_due_from_the_start_and_overdue_after_week_6(kent: CaseworkTimers) -> None:
    review = CaseFacts("dgs", MONDAY)
    assert due_status(review, kent.reviews, MONDAY).state is DueState.DUE
    assert due_status(review, kent.reviews, date(2026, 2, 15)).state is DueState.DUE_SOON
    assert due_status(review, kent.reviews, date(2026, 2, 16)).state is DueState.OVERDUE


# --- counts --------------------------------------------------------------------------------


def test_counts_per_area_are_of_open_records(kent: CaseworkTimers) -> None:
    today = date(2026, 2, 24)
    records = Records(
        placements=[
            PlacementFacts("dgs", MONDAY),  # over 3 weeks, notice due
            PlacementFacts("dgs", date(2026, 2, 10)),  # day 15: approaching
            PlacementFacts("dgs", MONDAY, ended_on=date(2026, 2, 1)),  # closed
            PlacementFacts("swale", date(2026, 2, 20)),
        ],
        care_act_assessments=[
            CaseFacts("dgs", date(2026, 1, 1)),  # due by 11 February: overdue
            CaseFacts("dgs", date(2026, 1, 20)),  # due by 2 March: due soon
            CaseFacts("dgs", date(2026, 1, 1), done_on=date(2026, 2, 1)),  # done
        ],
        reviews=[CaseFacts("swale", date(2026, 2, 1))],
        areas=["dgs", "swale", "west-kent"],
    )
    counts = counts_by_area(records, kent, today)
    dgs = counts["dgs"]
    assert (dgs.placements_open, dgs.placements_over_limit) == (2, 1)
    assert (dgs.placements_approaching, dgs.provider_notices_due) == (1, 1)
    assert (dgs.care_act_overdue, dgs.care_act_due_soon, dgs.care_act_due) == (1, 1, 0)
    assert (counts["swale"].placements_open, counts["swale"].reviews_due) == (1, 1)
    assert counts["west-kent"].as_dict() == dict.fromkeys(COUNT_NAMES, 0)


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    offset=st.integers(0, 400),
)
def test_the_state_only_gets_worse_as_days_pass(start: date, offset: int) -> None:
    """Property: for open work the order not yet due < due < due soon < overdue never
    goes backwards from one day to the next."""
    timers = timers_for("kent-ascch")
    assert timers is not None
    order = [DueState.NOT_YET_DUE, DueState.DUE, DueState.DUE_SOON, DueState.OVERDUE]
    today = start + timedelta(days=offset)
    for window in (timers.care_act_assessments, timers.reviews):
        now = due_status(CaseFacts("a", start), window, today).state
        then = due_status(CaseFacts("a", start), window, today + timedelta(days=1)).state
        assert order.index(then) >= order.index(now)


# --- UK dates across the clock changes ----------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # Summer time: 23:30 UTC is 00:30 the next day in London.
        (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), date(2026, 3, 30)),
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),
        # After the October change London is on UTC again.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 28)),
    ],
)
def test_the_day_is_the_uk_day(moment: datetime, day: date) -> None:
    assert local_date(moment, "Europe/London") == day


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        local_date(datetime(2026, 1, 5, 12, 0), "Europe/London")


# --- a bad file is refused with every problem named ---------------------------------------


def test_a_bad_file_names_each_problem(tmp_path: Path) -> None:
    bad = tmp_path / "timers.yaml"
    bad.write_text(
        "source: x\npacks:\n  kent-ascch:\n    source: y\n"
        "    placements: {immediate_action_after_weeks: 3, disregard_period_weeks: 12,"
        " provider_notice_week: 13, due_soon_days: 7}\n"
        "    care_act_assessments: {from_weeks: 6, within_weeks: 3, due_soon_days: 7}\n"
        "    reviews: {within_weeks: 6, due_soon_days: 7}\n"
        "    indicators: {unknown_count: placements_over_3_weeks}\n"
    )
    with pytest.raises(TimersError) as caught:
        load_timers(bad)
    text = str(caught.value)
    assert f"{bad}: packs.kent-ascch.placements" in text
    assert "provider_notice_week 13 is after the 12-week disregard period" in text
    assert "from_weeks 6 is not before within_weeks 3" in text
    assert "packs.kent-ascch.reviews.from_weeks: Field required" in text
    assert "unknown_count" in text


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TimersError, match="no such file"):
        load_timers(tmp_path / "nothing.yaml")
