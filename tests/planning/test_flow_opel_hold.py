"""The simulation's predicted level holds each indicator as the live service does.

Seed 000, section 8: an indicator stays at a lower level for the hold before
actions step down. The flow model gives one reading a day; its vectorised hold
must agree with the engine's own HoldState (surgewatch.core.hysteresis) on
every day of any series.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.hysteresis import replay
from surgewatch.planning.flow.opel import held_days, hold_levels

T0 = datetime(2024, 12, 2, 10, 0, tzinfo=UTC)


def _engine_held(levels: list[int], hold_hours: int) -> list[int | None]:
    readings = [(T0 + timedelta(days=d), level) for d, level in enumerate(levels)]
    hold = timedelta(hours=hold_hours)
    return [replay(hold, readings[: d + 1])[0].standing for d in range(len(levels))]


@given(
    levels=st.lists(st.integers(1, 4), min_size=1, max_size=40),
    hold_hours=st.sampled_from([0, 6, 12, 24, 36, 48, 72, 96]),
)
def test_the_vectorised_hold_matches_the_engine_every_day(
    levels: list[int], hold_hours: int
) -> None:
    held = hold_levels(np.array([levels], dtype=np.uint8), held_days(hold_hours))
    assert held[0].tolist() == _engine_held(levels, hold_hours)


def test_kents_48_hour_hold_keeps_opel_3_for_two_more_daily_readings() -> None:
    levels = np.array([[1, 3, 1, 1, 1, 1]], dtype=np.uint8)
    assert hold_levels(levels, held_days(48))[0].tolist() == [1, 3, 3, 3, 1, 1]
    assert hold_levels(levels, held_days(0))[0].tolist() == [1, 3, 1, 1, 1, 1]
