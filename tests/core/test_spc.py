"""XmR charts and the Making Data Count special cause rules, on hand-computed series."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.pack import Direction
from surgewatch.core.spc import SpecialCause, Variation, XmRChart, xmr

HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER
OUTSIDE = SpecialCause.OUTSIDE_LIMITS
SHIFT = SpecialCause.SHIFT
TREND = SpecialCause.TREND
TWO_OF_THREE = SpecialCause.TWO_OF_THREE

# Baselines with known lines, so the points after them can be placed by hand.
# mean 11, MR-bar 2: limits 11 +/- 5.32, near lines 11 +/- 3.5467; ends below the mean.
ENDS_BELOW = [12.0, 10.0, 12.0, 10.0]
# mean 11, MR-bar 2, as above; ends above the mean.
ENDS_ABOVE = [10.0, 12.0, 10.0, 12.0]
# mean 12, MR-bar 4: limits 1.36 and 22.64, near lines 4.9067 and 19.0933.
WIDE = [10.0, 14.0, 10.0, 14.0]


def _flagged(chart: XmRChart, rule: SpecialCause) -> list[int]:
    return [p.index for p in chart.points if rule in p.rules]


def _special(chart: XmRChart) -> list[int]:
    return [p.index for p in chart.points if p.rules]


def _after(baseline: list[float], points: list[float], direction: Direction = HIGHER) -> XmRChart:
    return xmr([*baseline, *points], direction, baseline=len(baseline))


# --- the chart's lines -------------------------------------------------------


def test_lines_of_a_hand_computed_series() -> None:
    chart = xmr([10, 12, 11, 13, 12], HIGHER)
    assert chart.mean == 11.6
    assert [p.moving_range for p in chart.points] == [None, 2, 1, 2, 1]
    assert chart.mr_bar == 1.5
    assert chart.upper == 15.59  # 11.6 + 2.66 x 1.5
    assert chart.lower == 7.61
    assert chart.near_upper == 14.26  # 11.6 + 2/3 x 3.99
    assert chart.near_lower == 8.94
    assert chart.baseline == 5
    assert _special(chart) == []
    assert [p.variation for p in chart.points] == [Variation.COMMON] * 5


def test_points_keep_their_index_and_value() -> None:
    chart = xmr([10, 12, 11], LOWER)
    assert [(p.index, p.value) for p in chart.points] == [(0, 10), (1, 12), (2, 11)]
    assert chart.direction is LOWER


def test_baseline_sets_the_lines_from_its_points_only() -> None:
    chart = xmr([10, 12, 11, 13, 12, 30, 31], HIGHER, baseline=5)
    assert (chart.mean, chart.mr_bar, chart.upper, chart.lower) == (11.6, 1.5, 15.59, 7.61)
    assert chart.baseline == 5
    # Points after the baseline are still judged, and still have moving ranges.
    assert [p.moving_range for p in chart.points[5:]] == [18, 1]
    assert _flagged(chart, OUTSIDE) == [5, 6]


def test_baseline_of_the_whole_series_is_the_default() -> None:
    values = [10.0, 12.0, 11.0, 13.0, 12.0, 30.0]
    assert xmr(values, HIGHER, baseline=6) == xmr(values, HIGHER)


# --- rule 1: a point outside the limits --------------------------------------


@pytest.mark.parametrize(
    ("value", "direction", "variation"),
    [
        (20, HIGHER, Variation.IMPROVEMENT),
        (20, LOWER, Variation.CONCERN),
        (3, HIGHER, Variation.CONCERN),
        (3, LOWER, Variation.IMPROVEMENT),
    ],
)
def test_a_point_outside_the_limits_is_coloured_by_direction(
    value: float, direction: Direction, variation: Variation
) -> None:
    chart = _after([10, 12, 11, 13, 12], [value], direction)
    assert _special(chart) == [5]
    assert chart.latest.rules == frozenset({OUTSIDE})
    assert chart.latest.variation is variation
    assert chart.variation is variation


def test_a_point_exactly_on_a_limit_is_not_outside() -> None:
    # mean 25, MR-bar 50: the upper limit is 25 + 133 = 158 exactly.
    on_limit = _after([0, 50, 0, 50], [158])
    assert on_limit.upper == 158
    assert _special(on_limit) == []
    assert _flagged(_after([0, 50, 0, 50], [158.5]), OUTSIDE) == [4]


# --- rule 2: a shift of 7 points on one side of the mean ---------------------


def test_six_points_above_the_mean_are_no_shift() -> None:
    assert _special(_after(ENDS_BELOW, [12] * 6)) == []


def test_seven_points_above_the_mean_are_a_shift_and_all_seven_are_flagged() -> None:
    chart = _after(ENDS_BELOW, [12] * 7)
    assert _flagged(chart, SHIFT) == [4, 5, 6, 7, 8, 9, 10]
    assert [p.variation for p in chart.points[4:]] == [Variation.IMPROVEMENT] * 7
    assert chart.points[3].variation is Variation.COMMON


def test_a_longer_shift_flags_every_point_of_it() -> None:
    assert _flagged(_after(ENDS_BELOW, [12] * 9), SHIFT) == list(range(4, 13))


def test_seven_points_below_the_mean_are_a_concern_when_higher_is_better() -> None:
    chart = _after(ENDS_ABOVE, [10] * 7)
    assert _flagged(chart, SHIFT) == [4, 5, 6, 7, 8, 9, 10]
    assert chart.variation is Variation.CONCERN
    assert _after(ENDS_ABOVE, [10] * 7, LOWER).variation is Variation.IMPROVEMENT


def test_the_shift_counts_baseline_points_on_the_same_side() -> None:
    # The baseline's last point is above the mean: it and 6 more make 7.
    assert _flagged(_after(ENDS_ABOVE, [12] * 6), SHIFT) == [3, 4, 5, 6, 7, 8, 9]


def test_a_point_on_the_mean_breaks_the_run() -> None:
    chart = _after(ENDS_BELOW, [12, 12, 12, 11, 12, 12, 12, 12])
    assert chart.mean == 11
    assert _special(chart) == []


# --- rule 3: a trend of 7 points ---------------------------------------------

RISING = [10.0, 10.5, 11.0, 11.5, 12.5, 13.0, 13.5]


def test_six_rising_points_are_no_trend() -> None:
    assert _special(_after(WIDE, RISING[:6])) == []


def test_seven_rising_points_are_a_trend_and_all_seven_are_flagged() -> None:
    chart = _after(WIDE, RISING)
    assert _flagged(chart, TREND) == [4, 5, 6, 7, 8, 9, 10]
    assert _special(chart) == [4, 5, 6, 7, 8, 9, 10]


def test_a_trend_is_coloured_by_its_direction_on_both_sides_of_the_mean() -> None:
    rising = _after(WIDE, RISING)
    assert rising.points[4].value < rising.mean < rising.points[10].value
    assert {p.variation for p in rising.points[4:]} == {Variation.IMPROVEMENT}
    falling = _after(WIDE, RISING[::-1])
    assert {p.variation for p in falling.points[4:]} == {Variation.CONCERN}
    assert {p.variation for p in _after(WIDE, RISING[::-1], LOWER).points[4:]} == {
        Variation.IMPROVEMENT
    }


def test_a_repeated_value_breaks_the_trend() -> None:
    assert _special(_after(WIDE, [10, 10.5, 11, 11, 11.5, 12.5, 13, 13.5])) == []


def test_the_turn_of_a_v_takes_the_trend_it_ends() -> None:
    falling = [16.0, 15.0, 14.0, 13.0, 11.0, 10.0, 9.0]
    rising = [10.0, 11.0, 13.0, 14.0, 15.0, 16.0]
    chart = _after(WIDE, [*falling, *rising])
    assert _special(chart) == list(range(4, 17))
    assert chart.points[10].value == 9
    assert [p.variation for p in chart.points[4:11]] == [Variation.CONCERN] * 7
    assert [p.variation for p in chart.points[11:]] == [Variation.IMPROVEMENT] * 6


def test_where_a_point_is_outweighs_where_it_is_heading() -> None:
    # Climbing from far below: the first rising points are still below the lower limit.
    chart = _after(WIDE, [-10, -8, -6, -4, -2, 0, 12])
    assert _flagged(chart, TREND) == [4, 5, 6, 7, 8, 9, 10]
    assert _flagged(chart, OUTSIDE) == [4, 5, 6, 7, 8, 9]
    assert [p.variation for p in chart.points[4:]] == [Variation.CONCERN] * 6 + [
        Variation.IMPROVEMENT
    ]


# --- rule 4: two out of three beyond the near lines ---------------------------


def test_two_of_three_beyond_the_same_near_line_flags_those_two() -> None:
    chart = _after(WIDE, [20, 12, 20])
    assert _flagged(chart, TWO_OF_THREE) == [4, 6]
    assert _special(chart) == [4, 6]
    assert chart.variation is Variation.IMPROVEMENT


def test_three_of_three_beyond_the_near_line_flags_all_three() -> None:
    chart = _after(WIDE, [4, 3, 4.5], LOWER)
    assert _flagged(chart, TWO_OF_THREE) == [4, 5, 6]
    assert chart.variation is Variation.IMPROVEMENT


def test_one_beyond_each_near_line_is_no_signal() -> None:
    assert _special(_after(WIDE, [20, 12, 4])) == []


def test_one_of_three_beyond_a_near_line_is_no_signal() -> None:
    assert _special(_after(WIDE, [20, 12, 12])) == []


def test_two_beyond_a_near_line_but_four_apart_are_no_signal() -> None:
    assert _special(_after(WIDE, [20, 12, 12, 20])) == []


def test_a_point_outside_the_limits_counts_towards_two_of_three() -> None:
    chart = _after(WIDE, [25, 12, 20])
    assert chart.points[4].rules == frozenset({OUTSIDE, TWO_OF_THREE})
    assert chart.points[6].rules == frozenset({TWO_OF_THREE})


# --- zero variation and bad input --------------------------------------------


@pytest.mark.parametrize("value", [5.0, 0.1, -1e-7, 1e12])
def test_a_constant_series_has_limits_on_the_mean_and_no_signal(value: float) -> None:
    chart = xmr([value] * 12, HIGHER)
    assert chart.mr_bar == 0
    assert chart.mean == chart.upper == chart.lower == value
    assert chart.near_upper == chart.near_lower == value
    assert _special(chart) == []


def test_any_change_from_a_constant_baseline_is_outside_the_limits() -> None:
    chart = xmr([5, 5, 5, 6], LOWER, baseline=3)
    assert chart.upper == 5
    assert chart.latest.rules == frozenset({OUTSIDE})
    assert chart.variation is Variation.CONCERN


@pytest.mark.parametrize("values", [[], [7.0]])
def test_fewer_than_two_values_have_no_moving_range(values: list[float]) -> None:
    with pytest.raises(ValueError, match=rf"needs at least 2 values, got {len(values)}$"):
        xmr(values, HIGHER)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_missing_or_infinite_value_is_refused_by_index(bad: float) -> None:
    with pytest.raises(ValueError, match=rf"^value at index 2 is {bad};"):
        xmr([1, 2, bad, 4], HIGHER)


def test_a_baseline_needs_two_values() -> None:
    with pytest.raises(ValueError, match=r"baseline needs at least 2 values .* got 1$"):
        xmr([1, 2, 3], HIGHER, baseline=1)


def test_a_baseline_cannot_be_longer_than_the_series() -> None:
    with pytest.raises(ValueError, match="baseline of 4 values is longer than the 3 values"):
        xmr([1, 2, 3], HIGHER, baseline=4)


def test_variation_labels_for_the_icon() -> None:
    assert [v.label for v in Variation] == [
        "Common cause variation",
        "Special cause \N{EN DASH} improvement",
        "Special cause \N{EN DASH} concern",
    ]


# --- properties --------------------------------------------------------------

# Whole numbers keep x + c exact, so a shifted series is the same series.
whole = st.integers(min_value=-1000, max_value=1000).map(float)
series = st.lists(whole, min_size=2, max_size=40)
directions = st.sampled_from(Direction)


@st.composite
def _walks(draw: st.DrawFn) -> list[float]:
    """Series built from stretches of equal steps, so long runs and trends are common."""
    stretches = draw(st.lists(st.tuples(st.integers(-2, 2), st.integers(1, 9)), max_size=8))
    values = [draw(whole)]
    for step, length in stretches:
        values.extend(values[-1] + step * (n + 1) for n in range(length))
    return values if len(values) > 1 else [*values, values[0]]


walks = _walks()
SWAPPED = {
    Variation.COMMON: Variation.COMMON,
    Variation.IMPROVEMENT: Variation.CONCERN,
    Variation.CONCERN: Variation.IMPROVEMENT,
}


def _rules(chart: XmRChart) -> list[frozenset[SpecialCause]]:
    return [p.rules for p in chart.points]


@given(values=series, direction=directions)
def test_limits_are_symmetric_about_the_mean(values: list[float], direction: Direction) -> None:
    chart = xmr(values, direction)
    assert chart.upper - chart.mean == pytest.approx(chart.mean - chart.lower)
    assert chart.near_upper - chart.mean == pytest.approx(chart.mean - chart.near_lower)
    assert chart.lower <= chart.near_lower <= chart.mean <= chart.near_upper <= chart.upper


@given(
    value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    size=st.integers(min_value=2, max_value=60),
    direction=directions,
)
def test_a_constant_series_never_signals(value: float, size: int, direction: Direction) -> None:
    chart = xmr([value] * size, direction)
    assert _special(chart) == []
    assert chart.variation is Variation.COMMON


@given(values=series)
def test_reversing_direction_swaps_improvement_and_concern_only(values: list[float]) -> None:
    higher, lower = xmr(values, HIGHER), xmr(values, LOWER)
    assert _rules(higher) == _rules(lower)
    assert [SWAPPED[p.variation] for p in higher.points] == [p.variation for p in lower.points]


@given(values=series, direction=directions)
def test_mirroring_the_values_swaps_improvement_and_concern_only(
    values: list[float], direction: Direction
) -> None:
    chart, mirrored = xmr(values, direction), xmr([-v for v in values], direction)
    assert _rules(chart) == _rules(mirrored)
    assert [SWAPPED[p.variation] for p in chart.points] == [p.variation for p in mirrored.points]


@given(values=series, constant=whole, direction=directions)
def test_adding_a_constant_moves_the_lines_and_keeps_the_rules(
    values: list[float], constant: float, direction: Direction
) -> None:
    chart = xmr(values, direction)
    moved = xmr([v + constant for v in values], direction)
    for line in ("mean", "upper", "lower", "near_upper", "near_lower"):
        assert getattr(moved, line) == pytest.approx(getattr(chart, line) + constant, abs=1e-9)
    assert moved.mr_bar == pytest.approx(chart.mr_bar)
    assert [(p.rules, p.variation) for p in moved.points] == [
        (p.rules, p.variation) for p in chart.points
    ]


@given(values=series, direction=directions)
def test_a_point_is_common_exactly_when_it_triggers_no_rule(
    values: list[float], direction: Direction
) -> None:
    for point in xmr(values, direction).points:
        assert (point.variation is Variation.COMMON) == (not point.rules)


def _windows(size: int, length: int) -> list[range]:
    return [range(start, start + length) for start in range(size - length + 1)]


@given(values=walks)
def test_shift_flags_exactly_the_points_in_seven_on_one_side(values: list[float]) -> None:
    chart = xmr(values, HIGHER)
    mean = sum(values) / len(values)  # exact enough: whole numbers, at most 40 of them
    expected = {
        n
        for window in _windows(len(values), 7)
        if all(values[n] > mean for n in window) or all(values[n] < mean for n in window)
        for n in window
    }
    assert set(_flagged(chart, SHIFT)) == expected


@given(values=walks)
def test_trend_flags_exactly_the_points_in_seven_rising_or_falling(values: list[float]) -> None:
    chart = xmr(values, HIGHER)
    expected = {
        n
        for window in _windows(len(values), 7)
        if all(values[a] < values[a + 1] for a in window[:-1])
        or all(values[a] > values[a + 1] for a in window[:-1])
        for n in window
    }
    assert set(_flagged(chart, TREND)) == expected
