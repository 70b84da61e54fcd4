"""Properties of classification that hold for any value and any pack cell."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.bands import NO_LEVEL, BandTable, CellStatus, classify_levels
from surgewatch.core.pack import Direction

values = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


def _cell_numbers(table: BandTable) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=len(table.cells) - 1)


@given(data=st.data(), value=values)
def test_level_is_one_to_four_or_none(
    kent_table: BandTable, data: st.DataObject, value: float
) -> None:
    cell = kent_table.cells[data.draw(_cell_numbers(kent_table))]
    level = cell.level(value)
    if cell.status is CellStatus.BANDED:
        assert level in (1, 2, 3, 4)
    else:
        assert level is None


@given(data=st.data(), a=values, b=values)
def test_level_is_monotone_in_the_value(
    kent_table: BandTable, data: st.DataObject, a: float, b: float
) -> None:
    cell = kent_table.cells[data.draw(_cell_numbers(kent_table))]
    if cell.status is not CellStatus.BANDED:
        return
    low, high = sorted((a, b))
    level_low, level_high = cell.level(low), cell.level(high)
    assert level_low is not None and level_high is not None
    if cell.indicator.direction is Direction.LOWER_IS_BETTER:
        assert level_low <= level_high
    else:
        assert level_low >= level_high


@given(
    st.lists(st.tuples(st.integers(min_value=0), values), min_size=1, max_size=300),
)
def test_vectorised_classification_matches_the_scalar_rule(
    kent_table: BandTable, rows: list[tuple[int, float]]
) -> None:
    cells = np.array([n % len(kent_table.cells) for n, _ in rows], dtype=np.int32)
    vals = np.array([v for _, v in rows], dtype=np.float64)
    got = classify_levels(kent_table, cells, vals)
    expected = [kent_table.cells[c].level(v) or NO_LEVEL for c, v in zip(cells, vals, strict=True)]
    assert got.tolist() == expected


def test_vectorised_classification_spans_chunks(kent_table: BandTable) -> None:
    rng = np.random.default_rng(7)
    n = 200_003  # several chunks plus a ragged tail
    cells = rng.integers(0, len(kent_table.cells), n).astype(np.int32)
    vals = rng.uniform(-5, 210, n)
    got = classify_levels(kent_table, cells, vals)
    sample = rng.choice(n, 500, replace=False)
    for i in sample:
        assert got[i] == (kent_table.cells[cells[i]].level(vals[i]) or NO_LEVEL)
