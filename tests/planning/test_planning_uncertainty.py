"""The uncertainty model: reproducible from a seed, centred on the deterministic gap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from surgewatch.planning.gap import analyse_gap
from surgewatch.planning.los import StayModel, midnight_pmf
from surgewatch.planning.plan import load_plan
from surgewatch.planning.uncertainty import run_uncertainty


def test_same_seed_same_result_different_seed_differs(demand_plan_path: Path) -> None:
    plan = load_plan(demand_plan_path)
    a, b = run_uncertainty(plan, 200, 5), run_uncertainty(plan, 200, 5)
    assert a.areas == b.areas
    assert np.array_equal(a.census, b.census)
    assert run_uncertainty(plan, 200, 6).areas != a.areas
    assert not a.census.flags.writeable


def test_median_residual_is_near_the_deterministic_residual(demand_plan_path: Path) -> None:
    plan = load_plan(demand_plan_path)
    result = run_uncertainty(plan, 400, 9)
    deterministic = analyse_gap(plan).residual
    for month, expected in zip(result.areas[0].months, deterministic, strict=True):
        low, mid, high = month.residual
        assert low < mid < high
        assert mid == pytest.approx(expected, abs=1.5)
        assert month.expected_days_over == pytest.approx(
            month.p_over_capacity * {"2024-11": 30, "2025-02": 28}.get(month.month, 31)
        )


def test_midnight_counts_have_the_stay_mean() -> None:
    for stay in (
        StayModel("exponential", 1.88),
        StayModel("lognormal", 4.0, 0.7),
        StayModel("empirical", 2.0, values=(1.0, 3.0)),
    ):
        pmf = midnight_pmf(stay)
        assert float(np.dot(np.arange(pmf.size), pmf)) == pytest.approx(stay.mean, rel=1e-4)
