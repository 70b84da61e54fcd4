"""Synthetic indicator values: a seasonal random walk of 'pressure' read through each cell's bands.

Pure numpy, no Django and no clock. A latent pressure on a 0-4 scale moves in
half-day steps: a trend rising toward the end of the period (winter coming
on), a system-wide swing every cell shares, each cell's own wander and offset,
and a weekday pattern. Pressure p is read through the cell's printed bands, so
p in [0, 1] lands in the OPEL 1 band, (1, 2] in OPEL 2 and so on (DESIGN.md,
'Band semantics'); the level stored with a value is always the engine's, never
this mapping's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from surgewatch.core.bands import Cell, CellStatus
from surgewatch.core.pack import Direction, Indicator

FloatArray = npt.NDArray[np.float64]

SLOTS_PER_DAY = 2  # a morning report, and an afternoon one on days at OPEL 3 or 4
FLOOR = 0.25  # a quarter into OPEL 1: a team never reports an empty caseload for weeks
TOP = 3.98  # just inside OPEL 4, so no value runs past the printed bands
# Monday to Sunday: discharges slow over the weekend and Monday carries the backlog.
WEEKDAY_EFFECT = (0.2, 0.1, 0.0, 0.0, 0.0, -0.1, -0.1)
# Cells with no bands have no plan numbers to follow; these demonstration ranges
# (value at no pressure, value at full pressure) are invented, like the data.
UNBANDED_RANGE = {"assessment_bed_availability": (30.0, 2.0), "dementia_beds": (10.0, 0.0)}


@dataclass(frozen=True)
class Season:
    """How pressure rises over the period: from ``start`` to ``end`` on the 0-4 scale."""

    start: float
    end: float
    cell_spread: float = 0.35  # sd of each cell's lasting offset (some teams run hotter)
    shared_sd: float = 0.10  # sd per half-day step of the swing every cell shares
    own_sd: float = 0.08  # sd per half-day step of a cell's own wander
    pull: float = 0.06  # share of a swing that fades each step (mean reversion)


def pressure_paths(
    season: Season, n_cells: int, weekdays: list[int], rng: np.random.Generator
) -> FloatArray:
    """Pressure for each cell (rows) at each half-day slot (columns) over ``weekdays``' days."""
    n_slots = SLOTS_PER_DAY * len(weekdays)
    progress = np.linspace(0.0, 1.0, n_slots) ** 1.5  # winter gathers pace toward the end
    trend = season.start + (season.end - season.start) * progress
    weekday = np.repeat([WEEKDAY_EFFECT[d] for d in weekdays], SLOTS_PER_DAY)
    shared = _reverting_walk(rng, 1, n_slots, season.shared_sd, season.pull)
    own = _reverting_walk(rng, n_cells, n_slots, season.own_sd, season.pull)
    offset = rng.normal(0.0, season.cell_spread, (n_cells, 1))
    raw = trend + weekday + shared + own + offset
    # Reflected at the floor rather than clipped, so quiet cells still vary.
    paths: FloatArray = np.minimum(FLOOR + np.abs(raw - FLOOR), TOP)
    return paths


def _reverting_walk(
    rng: np.random.Generator, rows: int, steps: int, sd: float, pull: float
) -> FloatArray:
    """A random walk that drifts back toward zero (an AR(1) process), one row per series."""
    shocks = rng.normal(0.0, sd, (rows, steps))
    walk = np.empty_like(shocks)
    walk[:, 0] = shocks[:, 0]
    for step in range(1, steps):
        walk[:, step] = (1.0 - pull) * walk[:, step - 1] + shocks[:, step]
    return walk


def values_for(cell: Cell, pressure: FloatArray) -> FloatArray:
    """Values a team would report at ``pressure``: through the bands, on the unit's step."""
    knots = _knots(cell)
    raw = np.interp(pressure, np.arange(5.0), knots)
    return _on_scale(cell.indicator, raw)


def _knots(cell: Cell) -> FloatArray:
    """Values at pressure 0, 1, 2, 3 and 4: the edges of the printed bands, best first."""
    indicator = cell.indicator
    rule = indicator.areas[cell.area]
    if cell.status is not CellStatus.BANDED or not isinstance(rule, dict):
        best, worst = _unbanded_range(indicator)
        return np.linspace(best, worst, 5)
    if indicator.direction is Direction.LOWER_IS_BETTER:
        edges = [rule[1][0], rule[1][1], rule[2][1], rule[3][1]]
        last = min(rule[4][1], edges[3] + (edges[3] - edges[2]))  # OPEL 4 no wider than OPEL 3
    else:
        edges = [rule[1][1], rule[1][0], rule[2][0], rule[3][0]]
        last = max(rule[4][0], edges[3] - (edges[2] - edges[3]))
    return np.array([*edges, last], dtype=np.float64)


def _unbanded_range(indicator: Indicator) -> tuple[float, float]:
    if indicator.id in UNBANDED_RANGE:
        return UNBANDED_RANGE[indicator.id]
    if indicator.direction is Direction.HIGHER_IS_BETTER:
        return 20.0, 0.0
    return 0.0, 20.0


def _on_scale(indicator: Indicator, raw: FloatArray) -> FloatArray:
    """Round to the indicator's step and keep inside its valid range."""
    stepped = np.round(np.round(raw / indicator.step) * indicator.step, 6)
    bounds = indicator.valid_range
    low = -np.inf if bounds.min is None else bounds.min
    high = np.inf if bounds.max is None else bounds.max
    return np.clip(stepped, low, high)


def typo_of(indicator: Indicator, value: float) -> float | None:
    """A plausible keying slip for ``value`` (digits swapped, a zero added or dropped).

    None when no slip is both different and still possible for the unit: the
    service refuses impossible values outright, so a typo that got through
    must be a valid value.
    """
    whole, fraction = divmod(value, 1.0)
    text = str(int(whole))
    candidates = [value * 10.0, float(int(whole) // 10) + fraction]
    if len(text) >= 2 and text[-1] != text[-2]:
        candidates.insert(0, float(text[:-2] + text[-1] + text[-2]) + fraction)
    for candidate in candidates:
        typo = round(candidate, 6)
        if typo != value and indicator.valid_range.contains(typo):
            return typo
    return None
