"""The acting level (engine after the hold, or a declaration) and action deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.acting import (
    acting_level,
    engine_level,
    first_deadline,
    held_cell_levels,
    is_recurring,
    next_daily,
)
from surgewatch.core.pack import Action, Pack

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
levels = st.none() | st.integers(min_value=1, max_value=4)


@given(levels, levels)
def test_acting_is_the_higher_of_engine_and_declaration(
    engine: int | None, declared: int | None
) -> None:
    acting = acting_level(engine, declared)
    known = [x for x in (engine, declared) if x is not None]
    assert acting == (max(known) if known else None)


def test_a_red_day_holds_for_the_packs_48_hours(kent: Pack) -> None:
    """Seed 000, section 8: one green reading does not stand red actions down."""
    red = {("referrals", "dgs"): [(T0, 3)], ("health_caseload", "dgs"): [(T0, 3)]}
    green = {cell: [*obs, (T0 + 2 * HOUR, 1)] for cell, obs in red.items()}
    soon = held_cell_levels(kent, green, T0 + 3 * HOUR)
    assert soon == {("referrals", "dgs"): 3, ("health_caseload", "dgs"): 3}
    assert engine_level(kent, soon) == 3
    later = held_cell_levels(kent, green, T0 + 2 * HOUR + 48 * HOUR)
    assert engine_level(kent, later) == 1


def test_a_rise_is_felt_at_once(kent: Pack) -> None:
    history = {
        ("referrals", "dgs"): [(T0, 1), (T0 + HOUR, 4)],
        ("health_caseload", "dgs"): [(T0, 1), (T0 + HOUR, 4)],
    }
    assert engine_level(kent, held_cell_levels(kent, history, T0 + HOUR)) == 4


def test_cells_without_a_level_are_left_out(kent: Pack) -> None:
    history = {("referrals", "dgs"): [(T0, None)]}
    assert held_cell_levels(kent, history, T0) == {}
    assert engine_level(kent, {}) is None


def test_within_hours_counts_from_opening() -> None:
    action = Action(id="inform", text="Inform the referrer", due_within_hours=2)
    assert first_deadline(action, T0, LONDON) == T0 + 2 * HOUR
    assert not is_recurring(action)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        # Opened before 10:30 GMT: today's 10:30.
        (datetime(2026, 1, 5, 9, 0, tzinfo=UTC), datetime(2026, 1, 5, 10, 30, tzinfo=UTC)),
        # Opened after it: tomorrow's.
        (datetime(2026, 1, 5, 11, 0, tzinfo=UTC), datetime(2026, 1, 6, 10, 30, tzinfo=UTC)),
        # Saturday 28 March 2026 at noon GMT: Sunday's 10:30 is BST, 09:30 UTC.
        (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), datetime(2026, 3, 29, 9, 30, tzinfo=UTC)),
        # Saturday 24 October 2026 at noon BST: Sunday's 10:30 is GMT again, 10:30 UTC.
        (datetime(2026, 10, 24, 11, 0, tzinfo=UTC), datetime(2026, 10, 25, 10, 30, tzinfo=UTC)),
    ],
)
def test_daily_deadlines_are_london_wall_clock(opened: datetime, due: datetime) -> None:
    """Seed 000, section 8: 'Ensure Shrewd is updated ... by 10.30 am'."""
    action = Action(id="shrewd", text="Update SHREWD", due_by="10:30")
    assert first_deadline(action, opened, LONDON) == due
    assert is_recurring(action)


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    )
)
def test_next_daily_is_the_first_wall_clock_time_after(after: datetime) -> None:
    due = next_daily("15:30", after, LONDON)
    local = due.astimezone(LONDON)
    assert due > after
    assert (local.hour, local.minute) == (15, 30)
    assert due - after <= timedelta(days=1, hours=1)


def test_an_action_without_a_time_has_no_deadline() -> None:
    assert first_deadline(Action(id="x", text="Work with families"), T0, LONDON) is None
