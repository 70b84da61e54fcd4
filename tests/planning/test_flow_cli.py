"""``surgewatch simulate`` through surgewatch.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surgewatch.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
BASE = str(SCENARIOS / "ssot-base.yaml")
HOME_FIRST = str(SCENARIOS / "ssot-home-first-1000h.yaml")


def test_json_has_summary_daily_fans_and_opel(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", BASE, "--replications", "3", "--seed", "7", "--workers", "1"]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["replications"], data["seed"], data["days"], data["start"]) == (
        3,
        7,
        182,
        "2024-10-01",
    )
    assert data["illustrative"] is True
    occupancy = data["summary"]["mean_occupancy"]
    assert occupancy["low"] <= occupancy["mean"] <= occupancy["high"]
    fan = data["daily"]["nctr_patients"]
    assert len(fan["p50"]) == 182
    assert all(a <= b <= c for a, b, c in zip(fan["p10"], fan["p50"], fan["p90"], strict=True))
    day = data["opel"]["by_day"][0]
    assert day["date"] == "2024-10-01" and day["p10"] <= day["p50"] <= day["p90"]
    assert sum(day["share_at_level"].values()) == pytest.approx(1.0)
    assert data["opel"]["pack"] == "kent-ascch"
    # the same seed gives the same numbers
    assert main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == data["summary"]


def test_compare_table_and_html(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", BASE, "--compare", HOME_FIRST, "--replications", "2", "--workers", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "B - A on common random numbers" in out and "Bed days lost to NCTR" in out
    assert main([*args, "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and "Predicted OPEL" in page
    assert "OPEL 1" in page or "OPEL 2" in page  # levels are written, not only coloured


def test_compare_same_file_differs_by_zero(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", BASE, "--compare", BASE, "--replications", "2", "--workers", "1"]
    assert main([*args, "--format", "json"]) == 0
    differences = json.loads(capsys.readouterr().out)["differences_b_minus_a"]
    assert {v["mean"] for v in differences.values()} == {0.0}


def test_bad_scenario_exits_1_with_path_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\npathways: [{pathway: 5, share: 1, los: {mean_days: 2}}]\n")
    assert main(["simulate", str(bad), "--replications", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        f"error: {bad}: pathways.0.pathway: Input should be less than or equal to 3" in captured.err
    )


def test_compare_refuses_different_periods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "short.yaml"
    other.write_text(
        f"extends: {BASE}\nperiod: {{start: 2024-11-01, days: 30}}\nplan: {SCENARIOS.parent}"
        "/plans/ssot-2024-25-rsuh-medical-flow.yaml\n"
    )
    assert main(["simulate", BASE, "--compare", str(other), "--replications", "1"]) == 1
    err = capsys.readouterr().err
    assert f"error: {other}: period: " in err
    assert "fix: compare scenarios over the same period" in err
