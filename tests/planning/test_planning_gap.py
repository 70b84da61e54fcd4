"""Gap, schemes and residual: seed 002's RSUH medical bed table reproduced exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.planning.beds import beds_required, growth_factor
from surgewatch.planning.gap import analyse_gap
from surgewatch.planning.plan import Assumptions, Demand, Plan, load_plan
from surgewatch.planning.units import acute_equivalent

SSOT_RESIDUAL = [9, -7, -4, -9, -5, 8, 2, 14, 12]


def test_ssot_residual_reproduces_seed_002(ssot_plan_path: Path) -> None:
    result = analyse_gap(load_plan(ssot_plan_path))
    assert list(result.residual) == SSOT_RESIDUAL
    assert list(result.gap) == [-124, -154, -186, -208, -204, -184, -154, -142, -127]
    assert result.mitigation[3] == 199  # Jan-25: -208 + 199 = 'Balance -9'
    assert len(result.schemes) == 13


def test_forty_d2a_beds_are_16_7_acute_equivalents() -> None:
    assert round(acute_equivalent(40, 2.4), 1) == 16.7
    assert acute_equivalent(40, 2.4, "per_scheme") == 17.0
    assert acute_equivalent(65, 2.5) == 26.0
    assert acute_equivalent(210, 15) == 14.0


def test_rounding_is_stated_in_the_result(ssot_plan_path: Path) -> None:
    assert "unrounded" in analyse_gap(load_plan(ssot_plan_path)).rounding_note


def _assumptions(**overrides: object) -> Assumptions:
    data: dict[str, object] = {
        "target_occupancy": 0.92,
        "annual_growth": 0.018,
        "growth_base_month": "2024-10",
        "severe_winter_uplift": {"value": 0.065, "months": ["2025-01"]},
        "mffd_patients": 128,
        "dta_patients": 33.5,
        "ipc_pressure_beds": {"value": 20, "months": ["2025-01"]},
    }
    data.update(overrides)
    return Assumptions.model_validate(data)


def test_default_bed_model_matches_design_formula() -> None:
    demand = Demand(arrivals_per_day=92.0, mean_los_days=2.0)
    a = _assumptions()
    assert beds_required(demand, a, "2024-10") == pytest.approx(200 + 128 + 33.5)
    year_on = 200 * 1.018
    assert beds_required(demand, a, "2025-10") == pytest.approx(year_on + 161.5)
    jan = 200 * 1.018 ** (3 / 12) * 1.065 + 161.5 + 20
    assert beds_required(demand, a, "2025-01") == pytest.approx(jan)
    assert growth_factor(a, "2024-04") == pytest.approx(1.018**-0.5)


def _plan_with_schemes(capacities: list[float], gap: list[float]) -> Plan:
    months = ["2024-10", "2024-11", "2024-12"][: len(gap)]
    return Plan.model_validate(
        {
            "title": "t",
            "months": months,
            "unit_ratios": {"acute": 1, "d2a": 2.4},
            "sites": [{"name": "S", "divisions": [{"name": "D", "gap": gap}]}],
            "schemes": [
                {"name": f"s{i}", "provider": "p", "unit": "d2a", "capacity": c}
                for i, c in enumerate(capacities)
            ],
        }
    )


@given(
    st.lists(st.floats(0, 500), max_size=5),
    st.floats(0, 500),
    st.lists(st.floats(-300, 50), min_size=3, max_size=3),
)
def test_more_mitigation_never_increases_the_deficit(
    capacities: list[float], extra: float, gap: list[float]
) -> None:
    before = analyse_gap(_plan_with_schemes(capacities, gap)).residual
    after = analyse_gap(_plan_with_schemes([*capacities, extra], gap)).residual
    assert all(a >= b for a, b in zip(after, before, strict=True))


def test_scheme_rows_sum_to_mitigation(ssot_plan_path: Path) -> None:
    result = analyse_gap(load_plan(ssot_plan_path))
    for i, total in enumerate(result.mitigation):
        assert sum(s.acute_equivalent[i] for s in result.schemes) == total


def test_example_yaml_is_the_printed_table(ssot_plan_path: Path) -> None:
    data = yaml.safe_load(ssot_plan_path.read_text())
    names = [s["name"] for s in data["schemes"]]
    assert names[:3] == ["W120", "W79", "AMRAU"] and names[-1] == "Falls"
