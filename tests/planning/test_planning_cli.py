"""``surgewatch plan ...`` through surgewatch.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from surgewatch.cli import main


def test_gap_json_keys_and_residual(
    ssot_plan_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "gap", str(ssot_plan_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"months", "gap", "schemes", "mitigation", "residual"}
    assert set(data["schemes"][0]) == {"name", "unit", "acute_equivalent"}
    assert data["residual"] == [9, -7, -4, -9, -5, 8, 2, 14, 12]
    assert data["months"][0] == "2024-10"


def test_gap_table_states_rounding(
    ssot_plan_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "gap", str(ssot_plan_path)]) == 0
    out = capsys.readouterr().out
    assert "Residual" in out and "+14" in out and "Acute-bed equivalents = capacity" in out


def test_gap_xlsx_round_trip(
    ssot_plan_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "gap.xlsx"
    assert (
        main(["plan", "gap", str(ssot_plan_path), "--format", "xlsx", "--output", str(target)]) == 0
    )
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][3] == "Oct-24"
    residual = next(r for r in rows if r[0] == "Residual")
    assert list(residual[3:]) == [9, -7, -4, -9, -5, 8, 2, 14, 12]


def test_xlsx_needs_output(ssot_plan_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "gap", str(ssot_plan_path), "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err


def test_bad_plan_exits_non_zero_without_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nmonths: [2024-10]\nunit_ratios: {acute: 1}\nsites: []\n")
    assert main(["plan", "gap", str(bad), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: {bad}: sites:" in captured.err


def test_uncertainty_json(demand_plan_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "plan",
        "uncertainty",
        str(demand_plan_path),
        "--replications",
        "100",
        "--seed",
        "3",
        "--format",
        "json",
    ]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first
    month = first["areas"][0]["months"][0]
    assert set(month["occupancy"]) == {"p10", "p50", "p90"}
    assert 0 <= month["p_over_capacity"] <= 1


def test_uncertainty_needs_demand_model(
    ssot_plan_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "uncertainty", str(ssot_plan_path), "--seed", "1"]) == 1
    assert f"error: {ssot_plan_path}: sites.RSUH.divisions.Medicine: no demand model" in (
        capsys.readouterr().err
    )


def test_costs_table(costs_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "costs", str(costs_path)]) == 0
    out = capsys.readouterr().out
    assert "GBP 540,286" in out and "GBP 4,700,000" in out and "reproduces exactly" in out
