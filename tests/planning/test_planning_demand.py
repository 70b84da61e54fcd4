"""Demand forecast in seed 001's method: rate per 10,000 x population, trend continued."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surgewatch.cli import main
from surgewatch.planning.demand import DemandPlan, forecast_demand, trend_rate
from surgewatch.planning.loading import PlanError
from surgewatch.planning.plan import load_plan


def test_trend_is_continued() -> None:
    assert trend_rate((2016, 2017, 2018, 2019), (10, 12, 14, 16), 2021) == pytest.approx(20)
    assert trend_rate((2016, 2017), (10, 5), 2020) == 0.0  # floored at zero


def _plan(**extra: object) -> DemandPlan:
    data: dict[str, object] = {
        "title": "t",
        "base_years": [2018, 2019],
        "months": ["2020-12", "2021-01"],
        "population": {"85+": {2020: 20000, 2021: 30000}},
        "services": [{"name": "s", "rates": {"85+": [100, 110]}}],
        "scenarios": [{"name": "peak", "multipliers": {"2020-12": 1.2}}],
    }
    data.update(extra)
    return DemandPlan.model_validate(data)


def test_rate_times_population_and_scenario() -> None:
    [service] = forecast_demand(_plan()).services
    assert service.annual[2020] == pytest.approx(120 * 20000 / 10000)
    assert service.annual[2021] == pytest.approx(130 * 30000 / 10000)
    assert service.baseline[0] == pytest.approx(240 / 12)
    assert service.scenarios["peak"] == pytest.approx((240 / 12 * 1.2, 390 / 12))


def test_missing_projection_is_named() -> None:
    with pytest.raises(ValueError, match=r"population\.85\+: no projection for \[2021\]"):
        _plan(population={"85+": {2020: 1}})


def test_cli_demand_json(demand_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "demand", str(demand_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    service = data["services"][0]
    assert set(service["scenarios"]) == {
        "Christmas peak (+20%)",
        "Second wave (assumed +30% Nov-Jan)",
    }
    assert service["scenarios"]["Christmas peak (+20%)"][2] == pytest.approx(
        service["baseline"][2] * 1.2
    )


def test_wrong_kind_of_file_is_an_error(demand_path: Path) -> None:
    with pytest.raises(PlanError):
        load_plan(demand_path)
