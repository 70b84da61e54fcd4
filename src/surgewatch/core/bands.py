"""Trigger bands: turn an indicator value into an OPEL level and colour.

Band semantics are decided in DESIGN.md ('Band semantics'): bands are
contiguous ranges keyed by their lower bound for ``higher_is_better``
indicators and by their upper bound for ``lower_is_better`` ones, so the
printed plan ranges (seed 000, section 4.3) are integer renderings. 69.5%
staffing is OPEL 2; 39.5 cases in DGS is OPEL 2.

The scalar rule shares one formula between directions: with sign ``s`` (+1
lower-is-better, -1 higher-is-better) and ``w = s * value``, the level is
``1 + count(w > t_k)`` over three boundaries ``t_k = s * bound_k``.

The vectorised rule counts how many of three ascending raw-value boundaries a
reading exceeds and maps ``(cell, count)`` to a level through a small lookup
table, so mixed readings take four gathers and three comparisons each. For
higher-is-better cells ``value >= low`` is ``value > nextafter(low, -inf)``,
which keeps the comparison strict in both directions. Tests hold the two
rules to the same answers.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import numpy as np
import numpy.typing as npt

from surgewatch.core.pack import AreaBands, AreaStatus, Direction, Indicator, Pack

NO_LEVEL = 0
CHUNK = 1 << 16  # keeps a chunk's temporaries in the CPU cache


class CellStatus(StrEnum):
    """Whether an (indicator, area) pair can have a level."""

    BANDED = "banded"
    NOT_MONITORED = "not_monitored"
    NO_THRESHOLDS = "no_thresholds"
    REPORT_ONLY = "report_only"


@dataclass(frozen=True)
class Cell:
    """One indicator in one area, with its boundaries compiled."""

    indicator: Indicator
    area: str
    status: CellStatus
    sign: float = 1.0
    boundaries: tuple[float, float, float] = (np.inf, np.inf, np.inf)
    printed: tuple[float, float] = (-np.inf, np.inf)

    def level(self, value: float) -> int | None:
        """The level for ``value``, or None where this cell has no bands."""
        if self.status is not CellStatus.BANDED:
            return None
        w = self.sign * value
        return 1 + sum(w > t for t in self.boundaries)

    def beyond_printed(self, value: float) -> bool:
        """True when ``value`` lies outside every printed band (a data-quality warning)."""
        low, high = self.printed
        return self.status is CellStatus.BANDED and not low <= value <= high


def compile_cell(indicator: Indicator, area: str) -> Cell:
    """Compile one indicator's rule for one area."""
    rule = indicator.areas.get(area)
    if rule is None or rule is AreaStatus.NOT_MONITORED:
        return Cell(indicator, area, CellStatus.NOT_MONITORED)
    if indicator.report_only:
        return Cell(indicator, area, CellStatus.REPORT_ONLY)
    if rule is AreaStatus.NO_THRESHOLDS or not isinstance(rule, dict):
        return Cell(indicator, area, CellStatus.NO_THRESHOLDS)
    return _banded_cell(indicator, area, rule)


def _banded_cell(indicator: Indicator, area: str, bands: AreaBands) -> Cell:
    if indicator.direction is Direction.LOWER_IS_BETTER:
        sign, bounds = 1.0, [bands[k][1] for k in (1, 2, 3)]
        printed = (bands[1][0], bands[4][1])
    else:
        sign, bounds = -1.0, [bands[k][0] for k in (1, 2, 3)]
        printed = (bands[4][0], bands[1][1])
    b1, b2, b3 = (sign * b for b in bounds)
    return Cell(indicator, area, CellStatus.BANDED, sign, (b1, b2, b3), printed)


@dataclass(frozen=True)
class BandTable:
    """Every cell of a pack, compiled into arrays for vectorised classification."""

    cells: tuple[Cell, ...]
    index: dict[tuple[str, str], int]
    raw_boundaries: npt.NDArray[np.float64]  # shape (3, n_cells), ascending per cell
    level_of_count: npt.NDArray[np.uint8]  # index cell * 4 + count

    def cell(self, indicator_id: str, area: str) -> Cell:
        return self.cells[self.index[(indicator_id, area)]]

    def cell_ids(self, indicators: list[str], areas: list[str]) -> npt.NDArray[np.int32]:
        """Cell numbers for parallel lists of indicator and area ids."""
        return np.fromiter(
            (self.index[key] for key in zip(indicators, areas, strict=True)),
            dtype=np.int32,
            count=len(indicators),
        )


def compile_pack(pack: Pack) -> BandTable:
    """Compile every (indicator, area) of ``pack``; areas an indicator does not name are N/A."""
    cells = tuple(compile_cell(ind, area) for ind in pack.indicators for area in pack.area_ids)
    index = {(c.indicator.id, c.area): n for n, c in enumerate(cells)}
    raw = np.array([_raw_boundaries(c) for c in cells], dtype=np.float64).T.copy()
    lut = np.array([_levels_by_count(c) for c in cells], dtype=np.uint8).ravel()
    return BandTable(cells, index, raw, lut)


def _raw_boundaries(cell: Cell) -> tuple[float, ...]:
    if cell.status is not CellStatus.BANDED:
        return (np.inf,) * 3
    if cell.sign > 0:
        return cell.boundaries
    return tuple(float(np.nextafter(-t, -np.inf)) for t in reversed(cell.boundaries))


def _levels_by_count(cell: Cell) -> tuple[int, ...]:
    if cell.status is not CellStatus.BANDED:
        return (NO_LEVEL,) * 4
    return (1, 2, 3, 4) if cell.sign > 0 else (4, 3, 2, 1)


def classify_levels(
    table: BandTable, cells: npt.NDArray[np.integer], values: npt.NDArray[np.float64]
) -> npt.NDArray[np.uint8]:
    """Levels 1-4 for each reading, or ``NO_LEVEL`` (0) where its cell has no bands.

    Works chunk by chunk so temporaries stay in cache; see the module docstring
    for why one formula serves both directions.
    """
    if cells.shape != values.shape:
        raise ValueError(f"cells {cells.shape} and values {values.shape} differ in shape")
    out = np.empty(values.shape, dtype=np.uint8)

    def one_chunk(start: int) -> None:
        stop = start + CHUNK
        out[start:stop] = _classify_chunk(table, cells[start:stop], values[start:stop])

    starts = range(0, values.size, CHUNK)
    if len(starts) < 4:
        for start in starts:
            one_chunk(start)
    else:  # numpy releases the GIL inside each operation, so chunks run on every core
        list(_pool().map(one_chunk, starts))
    return out


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="classify")


def _classify_chunk(
    table: BandTable, cells: npt.NDArray[np.integer], values: npt.NDArray[np.float64]
) -> npt.NDArray[np.uint8]:
    idx = cells.astype(np.intp, copy=False)  # take() would convert on every call
    code = idx * 4
    for row in table.raw_boundaries:
        code += values > row.take(idx)
    return table.level_of_count.take(code)


def colour_of(pack: Pack, level: int | None) -> str:
    """The pack's colour for a level; grey where there is no level (DESIGN.md)."""
    return "grey" if level is None else pack.colours[level]
