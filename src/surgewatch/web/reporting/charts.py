"""Chart data for the indicator page: pure functions from readings and the pack to JSON.

Nothing here reads the clock, the database or the time-zone setting: the view
passes ``now`` and ``zone`` in (STYLE.md). Readings arrive as plain
:class:`Observation` values; results are frozen dataclasses, and
:meth:`IndicatorCharts.as_json` is the dict the page hands to ``json_script``
for ``indicator-chart.js``.

Standing series. History keeps every row (DESIGN.md, 'Security and records');
a chart shows what stood. A row an amendment supersedes is replaced by the
amendment, and of two rows for the same observed time the later submission
stands, as it does for the cell's current reading (``services._stands_over``).

One value per day for SPC. A 'Making Data Count' XmR chart plots one value per
period, and its moving ranges assume equal periods. Cells are reported more
often at higher levels (seed 000: reporting times per level), so charting every
report would weight busy days over quiet ones and mix ranges of hours with
ranges of days. The SPC chart therefore takes each day's last standing value,
the value the day ended on, with days in UK local time (Europe/London): a
reading at 23:30 BST belongs to its own day though it is 22:30 UTC, and the
25-hour day of the October clock change is one day. Days without a reading are
left out, not filled: an invented value would be a reading nobody made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any

from surgewatch.core.bands import Cell, CellStatus
from surgewatch.core.pack import Direction
from surgewatch.core.spc import (
    SHIFT_LENGTH,
    TREND_LENGTH,
    SpecialCause,
    Variation,
    XmRChart,
    xmr,
)

PERIODS: tuple[int, ...] = (30, 90, 365)
DEFAULT_DAYS = 90
# MDC tools compute limits from 12 points or more and call anything shorter
# 'trial limits' (NHS-R 'plot the dots', 'Number of points required').
MIN_SPC_DAYS = 12

# The NHS palette behind the pack's colour names, as the level tags use them.
COLOUR_HEX: Mapping[str, str] = {
    "green": "#007f3b",
    "amber": "#ffb81c",
    "yellow": "#ffeb3b",
    "red": "#d5281b",
    "black": "#212b32",
    "blue": "#005eb8",
    "purple": "#330072",
    "grey": "#4c6272",
}
LEVEL_HEX: Mapping[int, str] = {1: "#007f3b", 2: "#ffb81c", 3: "#d5281b", 4: "#212b32"}

# MDC variation icons: blue improvement, orange concern, grey common cause.
# Each also gets its own point shape, so colour is never the only cue.
VARIATION_HEX: Mapping[Variation, str] = {
    Variation.COMMON: "#4c6272",
    Variation.IMPROVEMENT: "#005eb8",
    Variation.CONCERN: "#ed8b00",
}
VARIATION_SHAPE: Mapping[Variation, str] = {
    Variation.COMMON: "circle",
    Variation.IMPROVEMENT: "rectRot",
    Variation.CONCERN: "triangle",
}
RULE_TEXT: Mapping[SpecialCause, str] = {
    SpecialCause.OUTSIDE_LIMITS: "A point outside the process limits",
    SpecialCause.SHIFT: f"{SHIFT_LENGTH} or more points in a row on one side of the mean",
    SpecialCause.TREND: f"{TREND_LENGTH} or more points in a row each rising or each falling",
    SpecialCause.TWO_OF_THREE: (
        "2 of 3 points in a row more than two thirds of the way to a process limit"
    ),
}
RULE_ORDER: tuple[SpecialCause, ...] = tuple(RULE_TEXT)


@dataclass(frozen=True)
class Observation:
    """One stored reading, as the charts need it: plain values, no ORM."""

    reading_id: int
    observed_at: datetime
    submitted_at: datetime
    value: float
    level: int | None = None
    colour: str = ""
    supersedes: int | None = None


@dataclass(frozen=True)
class SeriesPoint:
    """A standing value on the time-series chart, with its UK local time as text."""

    observed_at: datetime
    label: str
    value: float
    level: int | None
    colour: str


@dataclass(frozen=True)
class DailyValue:
    """The last standing value of one UK local day."""

    day: date
    value: float
    observed_at: datetime


@dataclass(frozen=True)
class Band:
    """One level's band in one area: the printed range and the region it shades.

    ``low``/``high`` are the boundaries the engine classifies by (DESIGN.md,
    band semantics), so shaded regions meet without gaps; ``None`` runs to the
    chart's edge, as the worst and best levels are open-ended.
    """

    level: int
    colour: str
    fill: str
    printed: tuple[float, float]
    low: float | None
    high: float | None
    unit: str

    @property
    def name(self) -> str:
        return f"OPEL {self.level} {self.colour}"

    @property
    def range_text(self) -> str:
        low, high = self.printed
        return f"{fmt(low)}\N{EN DASH}{fmt(high)} {self.unit}".rstrip()

    @property
    def text(self) -> str:
        return f"{self.name}: {self.range_text}"


@dataclass(frozen=True)
class SpcDay:
    """One day on the SPC chart, classed by the MDC rules."""

    day: date
    value: float
    variation: Variation
    rules: tuple[SpecialCause, ...]

    @property
    def rules_text(self) -> str:
        return "; ".join(RULE_TEXT[rule] for rule in self.rules)


@dataclass(frozen=True)
class RuleFinding:
    """A special-cause rule and the days it flagged."""

    rule: SpecialCause
    days: tuple[date, ...]

    @property
    def text(self) -> str:
        count = len(self.days)
        noun = "day" if count == 1 else "days"
        return f"{RULE_TEXT[self.rule]}: {count} {noun}, most recently {day_label(self.days[-1])}"


@dataclass(frozen=True)
class SpcView:
    """The SPC section: the chart when there is enough data, and its text summary."""

    minimum: int
    summary: str
    chart: XmRChart | None = None
    days: tuple[SpcDay, ...] = ()
    findings: tuple[RuleFinding, ...] = ()


@dataclass(frozen=True)
class IndicatorCharts:
    """Everything the indicator page draws, for one cell over one period."""

    days: int
    start: datetime
    end: datetime
    unit: str
    series: tuple[SeriesPoint, ...]
    bands: tuple[Band, ...]
    y_range: tuple[float | None, float | None]
    spc: SpcView

    def as_json(self) -> dict[str, Any]:
        """The page's chart data, for Django's ``json_script`` filter."""
        return {
            "unit": self.unit,
            "days": self.days,
            "series": {
                "start": _ms(self.start),
                "end": _ms(self.end),
                "points": [_point_json(p) for p in self.series],
            },
            "bands": [_band_json(b) for b in self.bands],
            "yRange": {"min": self.y_range[0], "max": self.y_range[1]},
            "spc": _spc_json(self.spc),
        }


def build_charts(
    observations: Sequence[Observation],
    cell: Cell,
    colours: Mapping[int, str],
    *,
    now: datetime,
    days: int,
    zone: tzinfo,
) -> IndicatorCharts:
    """The time series and SPC view of one cell over the last ``days`` UK days."""
    start = period_start(now, days, zone)
    series = in_period(standing_series(observations), start)
    indicator = cell.indicator
    return IndicatorCharts(
        days=days,
        start=start,
        end=max([now, *(o.observed_at for o in series)]),  # a device clock may run ahead
        unit=indicator.unit,
        series=tuple(series_point(o, zone) for o in series),
        bands=bands_of(cell, colours),
        y_range=y_range(cell),
        spc=spc_view(daily_last(series, zone), indicator.direction),
    )


def period_days(raw: str | None) -> int:
    """The ``?days=`` choice; anything not offered falls back to the default, never an error."""
    try:
        days = int(raw or "")
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


def period_start(now: datetime, days: int, zone: tzinfo) -> datetime:
    """Local midnight at the start of the last ``days`` UK days, today included."""
    first = now.astimezone(zone).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(0), tzinfo=zone)


def superseded_ids(observations: Iterable[Observation]) -> set[int]:
    """Readings an amendment has replaced."""
    return {o.supersedes for o in observations if o.supersedes is not None}


def standing_series(observations: Sequence[Observation]) -> list[Observation]:
    """What stood, oldest first: superseded rows out, the latest submission per observed time."""
    superseded = superseded_ids(observations)
    standing = sorted(
        (o for o in observations if o.reading_id not in superseded), key=_submission_order
    )
    by_time = {o.observed_at: o for o in standing}  # a later submission replaces an earlier one
    return sorted(by_time.values(), key=_submission_order)


def in_period(series: Iterable[Observation], start: datetime) -> list[Observation]:
    return [o for o in series if o.observed_at >= start]


def daily_last(series: Iterable[Observation], zone: tzinfo) -> list[DailyValue]:
    """Each UK local day's last standing value, oldest day first (see the module docstring)."""
    last: dict[date, Observation] = {}
    for o in sorted(series, key=_submission_order):
        last[o.observed_at.astimezone(zone).date()] = o
    return [DailyValue(day, o.value, o.observed_at) for day, o in sorted(last.items())]


def series_point(o: Observation, zone: tzinfo) -> SeriesPoint:
    return SeriesPoint(o.observed_at, local_label(o.observed_at, zone), o.value, o.level, o.colour)


def bands_of(cell: Cell, colours: Mapping[int, str]) -> tuple[Band, ...]:
    """The cell's four bands, bottom of the chart first; none where the cell has no bands.

    Boundaries come from the compiled cell, so the shading splits exactly where
    the engine changes level: for higher-is-better, OPEL 1 is the top region.
    """
    rule = cell.indicator.areas.get(cell.area)
    if cell.status is not CellStatus.BANDED or not isinstance(rule, dict):
        return ()
    edges = [None, *sorted(cell.sign * t for t in cell.boundaries), None]
    levels = (1, 2, 3, 4) if cell.sign > 0 else (4, 3, 2, 1)
    return tuple(
        Band(
            level,
            colours[level],
            fill_of(level, colours),
            rule[level],
            low,
            high,
            cell.indicator.unit,
        )
        for level, (low, high) in zip(levels, pairwise(edges), strict=True)
    )


def fill_of(level: int, colours: Mapping[int, str]) -> str:
    """The hex shade for a level's pack colour; the default OPEL shade for unknown names."""
    name = colours[level].strip().lower()
    if name.startswith("#"):
        return name
    return COLOUR_HEX.get(name, LEVEL_HEX[level])


def y_range(cell: Cell) -> tuple[float | None, float | None]:
    """Where the value axis should at least reach: every printed band, else the valid range."""
    if cell.status is CellStatus.BANDED:
        return cell.printed
    valid = cell.indicator.valid_range
    return (valid.min, valid.max)


def spc_view(daily: Sequence[DailyValue], direction: Direction) -> SpcView:
    """MDC XmR view of the daily values, or why there is none."""
    if len(daily) < MIN_SPC_DAYS:
        summary = f"Not enough data for an SPC chart (needs at least {MIN_SPC_DAYS} days)"
        return SpcView(MIN_SPC_DAYS, summary)
    chart = xmr([d.value for d in daily], direction)
    days = tuple(
        SpcDay(d.day, p.value, p.variation, _ordered(p.rules))
        for d, p in zip(daily, chart.points, strict=True)
    )
    findings = tuple(
        RuleFinding(rule, tuple(d.day for d in days if rule in d.rules))
        for rule in RULE_ORDER
        if any(rule in d.rules for d in days)
    )
    return SpcView(MIN_SPC_DAYS, latest_summary(chart), chart, days, findings)


def latest_summary(chart: XmRChart) -> str:
    """'Latest point: special cause \N{EN DASH} concern (7 points above the mean)'."""
    latest = chart.latest
    label = latest.variation.label
    sentence = f"Latest point: {label[0].lower()}{label[1:]}"
    reasons = [_REASONS[rule](chart) for rule in _ordered(latest.rules)]
    return f"{sentence} ({'; '.join(reasons)})" if reasons else sentence


def _outside_reason(chart: XmRChart) -> str:
    if chart.latest.value > chart.upper:
        return "above the upper process limit"
    return "below the lower process limit"


def _shift_reason(chart: XmRChart) -> str:
    sides = [_sign(p.value - chart.mean) for p in chart.points]
    where = "above" if sides[-1] > 0 else "below"
    return f"{_trailing_run(sides)} points {where} the mean"


def _trend_reason(chart: XmRChart) -> str:
    values = [p.value for p in chart.points]
    steps = [_sign(after - before) for before, after in pairwise(values)]
    way = "rising" if steps[-1] > 0 else "falling"
    return f"{_trailing_run(steps) + 1} points {way}"


def _two_of_three_reason(chart: XmRChart) -> str:
    upper = chart.latest.value > chart.mean
    beyond = [
        p.value > chart.near_upper if upper else p.value < chart.near_lower
        for p in chart.points[-3:]
    ]
    limit = "upper" if upper else "lower"
    which = "all of the last 3 points" if all(beyond) else "2 of the last 3 points"
    return f"{which} more than two thirds of the way to the {limit} limit"


_REASONS = {
    SpecialCause.OUTSIDE_LIMITS: _outside_reason,
    SpecialCause.SHIFT: _shift_reason,
    SpecialCause.TREND: _trend_reason,
    SpecialCause.TWO_OF_THREE: _two_of_three_reason,
}


def local_label(moment: datetime, zone: tzinfo) -> str:
    """UK wall-clock time with the zone named, as the ``local`` template filter writes it."""
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")


def day_label(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def fmt(value: float) -> str:
    """A number as people write it: 70, not 70.0; 7.5 stays 7.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _ordered(rules: Iterable[SpecialCause]) -> tuple[SpecialCause, ...]:
    present = set(rules)
    return tuple(rule for rule in RULE_ORDER if rule in present)


def _trailing_run(labels: Sequence[int]) -> int:
    """How many labels at the end equal the last one."""
    count = 0
    for label in reversed(labels):
        if label != labels[-1]:
            break
        count += 1
    return count


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _submission_order(o: Observation) -> tuple[datetime, datetime, int]:
    return (o.observed_at, o.submitted_at, o.reading_id)


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _point_json(point: SeriesPoint) -> dict[str, Any]:
    level = f"OPEL {point.level} {point.colour}" if point.level else "No level"
    return {"x": _ms(point.observed_at), "y": point.value, "label": point.label, "level": level}


def _band_json(band: Band) -> dict[str, Any]:
    return {
        "level": band.level,
        "label": band.name,
        "fill": band.fill,
        "low": band.low,
        "high": band.high,
        "printed": list(band.printed),
    }


def _spc_json(view: SpcView) -> dict[str, Any] | None:
    chart = view.chart
    if chart is None:
        return None
    return {
        "mean": chart.mean,
        "upper": chart.upper,
        "lower": chart.lower,
        "points": [
            {
                "x": d.day.strftime("%d %b"),
                "day": d.day.isoformat(),
                "y": d.value,
                "variation": d.variation.value,
                "label": d.variation.label,
                "colour": VARIATION_HEX[d.variation],
                "shape": VARIATION_SHAPE[d.variation],
            }
            for d in view.days
        ],
    }
