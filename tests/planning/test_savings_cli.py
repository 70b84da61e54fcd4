"""``surgewatch plan savings`` through surgewatch.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from surgewatch.cli import main

HART = Path(__file__).resolve().parents[2] / "examples" / "outcomes" / "hart-2015-17.yaml"
PLAN = Path(__file__).resolve().parents[2] / "examples" / "plans" / "ssot-2024-25-rsuh-medical.yaml"


def test_json_reproduces_seed_003(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "savings", str(HART), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [hart] = data["outcomes"]
    assert (hart["bed_days"]["amount"], hart["admissions"]["amount"]) == (488000, 606000)
    assert data["total"] == 1094000 and data["mismatches"] == []


def test_table_shows_arithmetic_and_unit_costs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "savings", str(HART)]) == 0
    out = capsys.readouterr().out
    assert "1,220 bed days saved x GBP 400 = GBP 488,000" in out
    assert "GBP 488,000 + GBP 606,000 = GBP 1,094,000" in out
    assert "Potential savings, not in the total: GBP 268,000." in out
    assert "Every printed figure reproduces exactly." in out


def test_xlsx_amounts_are_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "savings.xlsx"
    assert main(["plan", "savings", str(HART), "--format", "xlsx", "--output", str(target)]) == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == ("Scheme", "Period", "Outcome", "Arithmetic", "Saving")
    amounts = {r[2]: r[4] for r in rows[1:] if r[0] == "HART"}
    assert amounts["bed days saved"] == 488000 and amounts["admissions avoided"] == 606000
    assert next(r[4] for r in rows if r[0] == "All schemes") == 1094000
    assert not list(tmp_path.glob(".*partial"))


def test_xlsx_needs_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "savings", str(HART), "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err


def test_mismatch_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(HART.read_text().replace("bed_day: 400", "bed_day: 450"))
    assert main(["plan", "savings", str(changed)]) == 0
    out = capsys.readouterr().out
    assert "MISMATCH with printed figure: HART bed_days: 549000 computed, 488000 printed" in out
    assert "total: 1155000 computed, 1094000 printed" in out


def test_scheme_not_in_plan_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "savings", str(HART), "--plan", str(PLAN), "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: {HART}: outcomes.0(HART).scheme: 'HART' is not a scheme of the plan" in (
        captured.err
    )
    assert "fix: use one of AMRAU, Cheadle" in captured.err


def test_scheme_in_plan_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renamed = tmp_path / "w120.yaml"
    renamed.write_text(HART.read_text().replace("scheme: HART", "scheme: W120"))
    assert main(["plan", "savings", str(renamed), "--plan", str(PLAN), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["by_scheme"] == [
        {"scheme": "W120", "total": 1094000}
    ]


def test_bad_file_names_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: t\nunit_costs: {bed_day: -1, admission_avoided: 2000}\noutcomes:\n"
        "  - {scheme: A, period: {start: 2024-01-01, end: 2024-02-01},"
        " counts: {bed_days_saved: 1, admissions_avoided: 2.5}}\n"
    )
    assert main(["plan", "savings", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"error: {bad}: unit_costs.bed_day: Input should be greater than or equal to 0; "
        "fix: use a value that is not negative",
        f"error: {bad}: outcomes.0.counts.admissions_avoided: Input should be a valid integer; "
        "fix: write a whole number, e.g. 303",
    ]


def test_impossible_date_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "date.yaml"
    bad.write_text(HART.read_text().replace("start: 2015-12-15", "start: 2015-13-15"))
    assert main(["plan", "savings", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 37, column 21: not a real date" in err
    assert "fix: write a date that exists, as YYYY-MM-DD" in err
