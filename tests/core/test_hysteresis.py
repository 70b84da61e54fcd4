"""De-escalation holds (seed 000, section 8): escalate at once, stand down after the hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.hysteresis import HoldState, replay

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOLD = timedelta(hours=48)


def test_escalation_is_immediate() -> None:
    _, events = replay(HOLD, [(T0, 1), (T0 + DAY, 3)])
    assert [(e.kind, e.from_level, e.to_level, e.at) for e in events] == [
        ("escalation", None, 1, T0),
        ("escalation", 1, 3, T0 + DAY),
    ]


def test_stand_down_waits_for_the_whole_hold() -> None:
    readings = [(T0, 4), (T0 + DAY, 2), (T0 + 2 * DAY, 2), (T0 + 3 * DAY, 2)]
    state, events = replay(HOLD, readings)
    assert [(e.kind, e.to_level, e.at) for e in events] == [
        ("escalation", 4, T0),
        ("de-escalation", 2, T0 + 3 * DAY),  # 48 h after the first lower reading
    ]
    assert state.standing == 2


def test_a_relapse_inside_the_hold_restarts_it() -> None:
    readings = [(T0, 4), (T0 + DAY, 2), (T0 + 2 * DAY, 4), (T0 + 3 * DAY, 2), (T0 + 4 * DAY, 2)]
    _, events = replay(HOLD, readings)
    assert [e.kind for e in events] == ["escalation"]


def test_steps_down_only_to_the_highest_level_held_in_the_window() -> None:
    readings = [(T0, 4), (T0 + DAY, 2), (T0 + 2 * DAY, 3), (T0 + 3 * DAY, 2)]
    _, events = replay(HOLD, readings)
    assert [(e.kind, e.to_level) for e in events] == [("escalation", 4), ("de-escalation", 3)]


def test_time_passing_alone_can_complete_the_hold() -> None:
    state, _ = replay(HOLD, [(T0, 3), (T0 + DAY, 1)])
    state, event = state.advance(T0 + 3 * DAY)
    assert event is not None and (event.kind, event.to_level) == ("de-escalation", 1)


def test_readings_without_a_level_change_nothing() -> None:
    state, _ = replay(HOLD, [(T0, 3)])
    assert state.observe(T0 + DAY, None) == (state, None)


levels = st.integers(min_value=1, max_value=4)
gaps = st.integers(min_value=1, max_value=36 * 60)  # minutes between readings


@given(st.lists(st.tuples(gaps, levels), min_size=1, max_size=40), st.integers(0, 96))
def test_never_stands_down_before_the_hold(steps: list[tuple[int, int]], hold_hours: int) -> None:
    hold = timedelta(hours=hold_hours)
    readings, at = [], T0
    for gap, level in steps:
        at += timedelta(minutes=gap)
        readings.append((at, level))
    _, events = replay(hold, readings)
    for event in events:
        if event.kind != "de-escalation":
            continue
        # Every reading in force during (event.at - hold, event.at] was at or below the new level.
        opened = event.at - hold
        in_force = [lvl for t, lvl in readings if t <= opened][-1:]
        inside = [lvl for t, lvl in readings if opened < t <= event.at]
        assert max(in_force + inside) <= event.to_level


@given(st.lists(levels, min_size=1, max_size=30))
def test_standing_level_is_never_below_the_latest_reading(series: list[int]) -> None:
    state = HoldState(HOLD)
    for n, level in enumerate(series):
        state, _ = state.observe(T0 + n * DAY / 2, level)
        assert state.standing is not None and state.standing >= level
