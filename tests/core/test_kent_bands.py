"""Every trigger band boundary printed in seed 000, section 4.3, and DESIGN.md's edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from surgewatch.core.assess import Reading, assess, check_value
from surgewatch.core.bands import BandTable, CellStatus, classify_levels
from surgewatch.core.pack import Pack

# Transcribed from the seed's printed tables: (indicator, area) -> level -> (low, high).
AREAS4 = ("dgs", "east-kent", "swale", "west-kent")
PRINTED: dict[tuple[str, str], dict[int, tuple[int, int]]] = {
    **{
        ("stp_staffing_pct", a): {1: (70, 100), 2: (50, 69), 3: (30, 49), 4: (0, 29)}
        for a in AREAS4
    },
    **{
        ("health_caseload", a): {1: (0, 39), 2: (40, 59), 3: (60, 99), 4: (100, 200)}
        for a in ("dgs", "east-kent", "west-kent")
    },
    ("health_caseload", "swale"): {1: (0, 39), 2: (40, 49), 3: (50, 69), 4: (70, 80)},
    **{
        ("social_caseload", a): {1: (0, 39), 2: (40, 59), 3: (60, 99), 4: (100, 500)}
        for a in AREAS4
    },
    ("referrals", "dgs"): {1: (0, 9), 2: (10, 14), 3: (15, 19), 4: (20, 29)},
    ("referrals", "east-kent"): {1: (0, 9), 2: (10, 14), 3: (15, 19), 4: (20, 100)},
    ("referrals", "west-kent"): {1: (0, 9), 2: (10, 14), 3: (15, 19), 4: (20, 100)},
    ("keah_daily_capacity", "county"): {1: (5, 6), 2: (3, 4), 3: (1, 2), 4: (0, 0)},
    ("d2a_p1_weekly_availability", "west-kent"): {1: (35, 42), 2: (15, 34), 3: (6, 14), 4: (0, 5)},
}
BOUNDARIES = [
    (indicator, area, value, level)
    for (indicator, area), bands in PRINTED.items()
    for level, (low, high) in bands.items()
    for value in (low, high)
]


@pytest.mark.parametrize(("indicator", "area", "value", "level"), BOUNDARIES)
def test_every_printed_boundary_has_its_printed_level(
    kent_table: BandTable, indicator: str, area: str, value: int, level: int
) -> None:
    cell = kent_table.cell(indicator, area)
    assert cell.level(value) == level
    assert not cell.beyond_printed(value)


def test_every_banded_cell_in_the_pack_is_checked_here(kent_table: BandTable) -> None:
    banded = {(c.indicator.id, c.area) for c in kent_table.cells if c.status is CellStatus.BANDED}
    assert banded == set(PRINTED)


@pytest.mark.parametrize(
    ("indicator", "area", "value", "level"),
    [
        ("stp_staffing_pct", "dgs", 69.5, 2),  # DESIGN.md: keyed by lower bound
        ("stp_staffing_pct", "dgs", 49.99, 3),
        ("stp_staffing_pct", "dgs", 29.5, 4),
        ("health_caseload", "dgs", 39.5, 2),  # DESIGN.md: keyed by upper bound
        ("health_caseload", "swale", 49.5, 3),
        ("referrals", "east-kent", 9.01, 2),
        ("keah_daily_capacity", "county", 4.5, 2),
        ("keah_daily_capacity", "county", 0.5, 4),  # below 1, the bottom of level 3
        ("d2a_p1_weekly_availability", "west-kent", 34.5, 2),
        ("d2a_p1_weekly_availability", "west-kent", 5.5, 4),
    ],
)
def test_values_between_printed_integers_take_the_band_they_fall_into(
    kent_table: BandTable, indicator: str, area: str, value: float, level: int
) -> None:
    assert kent_table.cell(indicator, area).level(value) == level


def test_value_beyond_the_last_band_gets_worst_level_and_a_warning(kent: Pack) -> None:
    (result,) = assess(kent, [Reading("health_caseload", "swale", 85)]).results
    assert (result.level, result.colour) == (4, "black")
    assert result.warnings == (
        "data quality: 85 is beyond the printed bands (0-80): given the nearest level; "
        "check the value",
    )


def test_keah_capacity_above_printed_best_band_is_green_with_warning(kent: Pack) -> None:
    (result,) = assess(kent, [Reading("keah_daily_capacity", "county", 9)]).results
    assert result.level == 1
    assert len(result.warnings) == 1


@pytest.mark.parametrize(
    ("indicator", "value", "fragment"),
    [
        (
            "stp_staffing_pct",
            140,
            "140 is impossible for 'stp_staffing_pct' (%); valid values are 0 to 100",
        ),
        (
            "health_caseload",
            -1,
            "-1 is impossible for 'health_caseload' (cases); valid values are at least 0",
        ),
    ],
)
def test_impossible_values_are_refused(
    kent: Pack, indicator: str, value: float, fragment: str
) -> None:
    (error,) = check_value(kent, indicator, value, row=7)
    assert str(error) == f"row 7, column 'value': {fragment}"


def test_swale_referrals_are_not_monitored(kent: Pack) -> None:
    (result,) = assess(kent, [Reading("referrals", "swale", 12)]).results
    assert (result.level, result.colour, result.status) == (None, "grey", CellStatus.NOT_MONITORED)


@pytest.mark.parametrize("indicator", ["assessment_bed_availability", "dementia_beds"])
def test_indicators_without_thresholds_are_grey(kent: Pack, indicator: str) -> None:
    (result,) = assess(kent, [Reading(indicator, "county", 3)]).results
    assert (result.level, result.colour) == (None, "grey")
    assert result.status in (CellStatus.NO_THRESHOLDS, CellStatus.REPORT_ONLY)


def test_colours_follow_section_4_3(kent: Pack) -> None:
    assert kent.colours == {1: "green", 2: "amber", 3: "red", 4: "black"}


def test_vectorised_rule_agrees_at_every_printed_boundary(kent_table: BandTable) -> None:
    nudges = (-0.5, -1e-9, 0.0, 1e-9, 0.5)
    rows = [(ind, area, value + d, level) for ind, area, value, level in BOUNDARIES for d in nudges]
    cells = kent_table.cell_ids([r[0] for r in rows], [r[1] for r in rows])
    values = np.array([r[2] for r in rows])
    got = classify_levels(kent_table, cells, values).tolist()
    expected = [kent_table.cell(ind, area).level(v) for ind, area, v, _ in rows]
    assert got == expected
    exact = [level for _, _, _, level in BOUNDARIES]
    assert got[2 :: len(nudges)] == exact
