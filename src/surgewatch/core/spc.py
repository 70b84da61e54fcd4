"""Statistical process control: XmR charts and special cause variation.

Seed 000 has the organisation level declared 'according to available trend
data'; this module says whether an indicator's latest readings are noise or a
signal. The method is NHS England's 'Making Data Count' (MDC; 'Making data
count: strengthening your decisions', 2019, and its SPC guidance): an XmR
chart whose process limits sit at the mean +/- 2.66 x the mean moving range
(Wheeler, 'Understanding Variation', 2000: 2.66 = 3 / d2 with d2 = 1.128 for
ranges of two points), and four rules for special cause variation.

The centre line and limits are compared with the values exactly, as rational
numbers, so no reading falls on the wrong side of a line by rounding: a
constant series really is on its mean and never signals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import groupby, pairwise

from surgewatch.core.pack import Direction

SCALING_FACTOR = Fraction("2.66")
NEAR_LIMIT_FRACTION = Fraction(2, 3)
SHIFT_LENGTH = 7
TREND_LENGTH = 7

# A signal's sign: +1 high or rising, -1 low or falling, 0 no signal.
Signal = int


class SpecialCause(StrEnum):
    """The four MDC rules for special cause variation."""

    OUTSIDE_LIMITS = "outside_limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class Variation(StrEnum):
    """A point's class in MDC's variation icons, given the indicator's direction."""

    COMMON = "common"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"

    @property
    def label(self) -> str:
        """Text for a variation icon."""
        return _VARIATION_LABELS[self]


_VARIATION_LABELS = {
    Variation.COMMON: "Common cause variation",
    Variation.IMPROVEMENT: "Special cause \N{EN DASH} improvement",
    Variation.CONCERN: "Special cause \N{EN DASH} concern",
}


@dataclass(frozen=True)
class SpcPoint:
    """One value on the chart, the rules it triggered and its class."""

    index: int
    value: float
    moving_range: float | None
    rules: frozenset[SpecialCause]
    variation: Variation


@dataclass(frozen=True)
class XmRChart:
    """An XmR chart: centre line and limits from the baseline, every point classed."""

    mean: float
    mr_bar: float
    upper: float
    lower: float
    near_upper: float
    near_lower: float
    points: tuple[SpcPoint, ...]
    direction: Direction
    baseline: int

    @property
    def latest(self) -> SpcPoint:
        return self.points[-1]

    @property
    def variation(self) -> Variation:
        """The latest point's class: what a page's variation icon shows."""
        return self.latest.variation


@dataclass(frozen=True)
class _Lines:
    """The chart's lines, exact."""

    mean: Fraction
    mr_bar: Fraction

    @property
    def limit_width(self) -> Fraction:
        return SCALING_FACTOR * self.mr_bar

    @property
    def near_width(self) -> Fraction:
        return NEAR_LIMIT_FRACTION * self.limit_width

    def side(self, value: Fraction) -> Signal:
        """Which side of the mean a value is on; 0 exactly on it."""
        return _sign(value - self.mean)

    def beyond(self, value: Fraction, width: Fraction) -> Signal:
        """Whether a value is strictly more than ``width`` above or below the mean."""
        distance = value - self.mean
        return _sign(distance) if abs(distance) > width else 0


def xmr(values: Sequence[float], direction: Direction, baseline: int | None = None) -> XmRChart:
    """Chart ``values`` in time order, with the mean and limits from the first ``baseline``.

    MDC: limits at mean +/- 2.66 x mean moving range; the rules are applied to
    every point, including those after the baseline. ``baseline`` defaults to
    all the values.
    """
    exact = _exact_values(values)
    size = _baseline_size(len(exact), baseline)
    lines = _lines(exact[:size])
    signals = _signals(exact, lines)
    points = tuple(_point(index, exact, signals[index], direction) for index in range(len(exact)))
    return _chart(lines, points, direction, size)


def _exact_values(values: Sequence[float]) -> list[Fraction]:
    if len(values) < 2:
        raise ValueError(f"an XmR chart needs at least 2 values, got {len(values)}")
    for index, value in enumerate(values):
        if not math.isfinite(value):
            raise ValueError(
                f"value at index {index} is {value}; fix: drop or fill missing readings first"
            )
    return [Fraction(value) for value in values]


def _baseline_size(count: int, baseline: int | None) -> int:
    if baseline is None:
        return count
    if baseline < 2:
        raise ValueError(f"a baseline needs at least 2 values for a moving range, got {baseline}")
    if baseline > count:
        raise ValueError(f"baseline of {baseline} values is longer than the {count} values given")
    return baseline


def _lines(baseline: Sequence[Fraction]) -> _Lines:
    ranges = _moving_ranges(baseline)
    return _Lines(mean=_average(baseline), mr_bar=_average(ranges))


def _moving_ranges(values: Sequence[Fraction]) -> list[Fraction]:
    return [abs(after - before) for before, after in pairwise(values)]


def _average(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _signals(values: Sequence[Fraction], lines: _Lines) -> list[dict[SpecialCause, Signal]]:
    """Each point's triggered rules, with the sign of each signal."""
    by_rule = {
        SpecialCause.OUTSIDE_LIMITS: [lines.beyond(v, lines.limit_width) for v in values],
        SpecialCause.SHIFT: _shift([lines.side(v) for v in values]),
        SpecialCause.TREND: _trend(values),
        SpecialCause.TWO_OF_THREE: _two_of_three(
            [lines.beyond(v, lines.near_width) for v in values]
        ),
    }
    return [
        {rule: marks[index] for rule, marks in by_rule.items() if marks[index]}
        for index in range(len(values))
    ]


def _shift(sides: Sequence[Signal]) -> list[Signal]:
    """MDC: a run of 7 or more points all above or all below the mean.

    A point exactly on the mean is on neither side, so it ends the run.
    """
    return _runs(sides, SHIFT_LENGTH)


def _trend(values: Sequence[Fraction]) -> list[Signal]:
    """MDC: 7 or more consecutive points each higher (or each lower) than the one before.

    Seven points make six steps; a repeated value is no step and ends the
    trend. The turning point of a V ends one trend and starts another: it
    takes the sign of the trend it ends, as the latest point always does.
    """
    steps = [0, *(_sign(after - before) for before, after in pairwise(values))]
    ended = _runs(steps, TREND_LENGTH - 1)
    started = [*ended[1:], 0]
    return [end or start for end, start in zip(ended, started, strict=True)]


def _two_of_three(near: Sequence[Signal]) -> list[Signal]:
    """MDC: two out of three consecutive points beyond two-thirds of the way to a limit.

    ``near`` says which near line each point is beyond. The two (or three)
    points of a triple beyond the same near line are flagged; a triple with
    one point beyond each side signals nothing.
    """
    flags = [0] * len(near)
    for start in range(len(near) - 2):
        for side in (1, -1):
            beyond = [n for n in range(start, start + 3) if near[n] == side]
            if len(beyond) >= 2:
                for n in beyond:
                    flags[n] = side
    return flags


def _runs(labels: Sequence[Signal], length: int) -> list[Signal]:
    """Keep a label only where it is in a run of at least ``length`` equal non-zero labels."""
    marked: list[Signal] = []
    for label, group in groupby(labels):
        size = len(list(group))
        marked.extend([label if size >= length else 0] * size)
    return marked


def _point(
    index: int,
    values: Sequence[Fraction],
    signals: dict[SpecialCause, Signal],
    direction: Direction,
) -> SpcPoint:
    moving_range = float(abs(values[index] - values[index - 1])) if index else None
    return SpcPoint(
        index=index,
        value=float(values[index]),
        moving_range=moving_range,
        rules=frozenset(signals),
        variation=_variation(signals, direction),
    )


def _variation(signals: dict[SpecialCause, Signal], direction: Direction) -> Variation:
    """MDC colouring: special cause on the good side is improvement, else concern."""
    if not signals:
        return Variation.COMMON
    good: Signal = 1 if direction is Direction.HIGHER_IS_BETTER else -1
    return Variation.IMPROVEMENT if _deciding_sign(signals) == good else Variation.CONCERN


def _deciding_sign(signals: dict[SpecialCause, Signal]) -> Signal:
    # Where a point is outweighs where it is heading: a point still below the
    # lower limit is a concern for a higher-is-better indicator even while it
    # climbs. The located rules always agree, as all follow the side of the mean.
    located = [sign for rule, sign in signals.items() if rule is not SpecialCause.TREND]
    return located[0] if located else signals[SpecialCause.TREND]


def _chart(
    lines: _Lines, points: tuple[SpcPoint, ...], direction: Direction, baseline: int
) -> XmRChart:
    return XmRChart(
        mean=float(lines.mean),
        mr_bar=float(lines.mr_bar),
        upper=float(lines.mean + lines.limit_width),
        lower=float(lines.mean - lines.limit_width),
        near_upper=float(lines.mean + lines.near_width),
        near_lower=float(lines.mean - lines.near_width),
        points=points,
        direction=direction,
        baseline=baseline,
    )


def _sign(value: Fraction) -> Signal:
    return (value > 0) - (value < 0)
