"""Risk register: seed 002's scores, the heat map and overdue reviews."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from surgewatch.cli import main
from surgewatch.planning.risks import assess_register, load_register


def test_seed_002_scores(risks_path: Path) -> None:
    report = assess_register(load_register(risks_path), dt.date(2024, 9, 10))
    scores = {r.title: (r.inherent, r.residual, r.target) for r in report.risks}
    assert scores["UEC Workforce/Staffing"] == (25, 15, 10)
    assert scores["System Surge Capacity"] == (25, 20, 9)
    assert scores["D2A Capacity"] == (15, 15, 3)
    assert scores["Ambulance Handover Delays"] == (20, 20, 4)
    assert sum(map(sum, report.heat_map)) == 4
    assert report.heat_map[4][2] == 1  # impact 5, likelihood 3: workforce residual


def test_overdue_reviews_depend_on_the_date_passed_in(risks_path: Path) -> None:
    register = load_register(risks_path)
    early = assess_register(register, dt.date(2024, 9, 1))
    assert [r.overdue_days for r in early.risks] == [0, 0, 0, 0]
    late = assess_register(register, dt.date(2024, 9, 13))
    assert [r.overdue_days for r in late.risks] == [1, 0, 1, 4]


def test_cli_risks_json(risks_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["plan", "risks", str(risks_path), "--today", "2024-10-01", "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["today"] == "2024-10-01"
    assert [r["rating"] for r in data["risks"]] == ["extreme"] * 4


def test_score_out_of_range_names_path(
    tmp_path: Path, risks_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "risks.yaml"
    bad.write_text(
        risks_path.read_text().replace("{impact: 5, likelihood: 3}", "{impact: 6, likelihood: 3}")
    )
    assert main(["plan", "risks", str(bad), "--today", "2024-10-01"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: risks.0(UEC Workforce/Staffing).residual.impact:" in err
