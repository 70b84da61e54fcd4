"""Savings from scheme outcomes: seed 003's HART figures reproduce; the sum is linear."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from surgewatch.planning.loading import PlanError
from surgewatch.planning.savings import (
    Outcomes,
    UnitCosts,
    calculate_savings,
    load_outcomes,
    price_outcome,
    savings_json,
    savings_rows,
    unknown_schemes,
)

HART = Path(__file__).resolve().parents[2] / "examples" / "outcomes" / "hart-2015-17.yaml"


def outcomes(entries: list[dict[str, Any]], bed_day: Any = 400, admission: Any = 2000) -> Outcomes:
    return Outcomes.model_validate(
        {
            "title": "t",
            "unit_costs": {"bed_day": bed_day, "admission_avoided": admission},
            "outcomes": entries,
        }
    )


def entry(
    scheme: str = "S", days: Any = 0, admissions: int = 0, start: str = "2024-01-01", **more: Any
) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "period": {"start": start, "end": more.pop("end", "2024-03-31")},
        "counts": {"bed_days_saved": days, "admissions_avoided": admissions, **more},
    }


def test_hart_example_reproduces_seed_003() -> None:
    report = calculate_savings(load_outcomes(HART))
    [hart] = report.outcomes
    assert (hart.bed_days.count, hart.bed_days.unit_cost) == (Decimal(1220), Decimal(400))
    assert hart.bed_days.amount == Decimal(488000)
    assert hart.admissions.amount == Decimal(606000)
    assert hart.total == report.total == Decimal(1094000)
    assert hart.potential is not None and hart.potential.amount == Decimal(268000)
    assert report.potential_total == Decimal(268000)  # 'in addition', not in the total
    assert report.mismatches == ()
    assert hart.period.start == dt.date(2015, 12, 15) and hart.period.end == dt.date(2017, 8, 31)


def test_arithmetic_is_shown() -> None:
    report = calculate_savings(load_outcomes(HART))
    [hart] = report.outcomes
    assert hart.bed_days.arithmetic("GBP") == "1,220 bed days saved x GBP 400 = GBP 488,000"
    assert hart.admissions.arithmetic("GBP") == "303 admissions avoided x GBP 2,000 = GBP 606,000"
    assert hart.total_arithmetic("GBP") == "GBP 488,000 + GBP 606,000 = GBP 1,094,000"
    assert savings_rows(report)[-1] == (
        "All schemes",
        "",
        "total",
        "GBP 1,094,000 = GBP 1,094,000",
        Decimal(1094000),
    )


def test_json_shape() -> None:
    data = savings_json(calculate_savings(load_outcomes(HART)))
    assert data["total"] == 1094000
    assert data["potential_not_in_total"] == 268000
    assert data["unit_costs"]["bed_day"] == 400
    [hart] = data["outcomes"]
    assert hart["admissions"] == {
        "count": 303,
        "unit_cost": 2000,
        "amount": 606000,
        "arithmetic": "303 admissions avoided x GBP 2,000 = GBP 606,000",
    }
    assert hart["discharges_supported"] == 1250 and hart["referrals"] is None


def test_printed_mismatch_is_reported_not_hidden() -> None:
    data = {**entry("HART", 10, 1), "printed": {"total": 999, "bed_days": 4000}}
    model = Outcomes.model_validate(
        {
            "title": "t",
            "unit_costs": {"bed_day": 400, "admission_avoided": 2000},
            "outcomes": [data],
            "printed_total": 6001,
        }
    )
    assert calculate_savings(model).mismatches == (
        "HART total: 6000 computed, 999 printed",
        "total: 6000 computed, 6001 printed",
    )


def test_pence_and_fractional_days() -> None:
    report = calculate_savings(outcomes([entry(days="12.5", admissions=1)], "399.99", "1.01"))
    [line] = report.outcomes
    assert line.bed_days.amount == Decimal("4999.875")
    assert line.bed_days.arithmetic("GBP") == "12.5 bed days saved x GBP 399.99 = GBP 4,999.88"
    assert report.total == Decimal("5000.885")


def test_same_scheme_in_two_periods_is_summed_per_scheme() -> None:
    first = entry("A", 10, 1, "2024-01-01", end="2024-03-31")
    second = entry("A", 5, 0, "2024-04-01", end="2024-06-30")
    report = calculate_savings(outcomes([first, second, entry("B", 1, 0)]))
    assert report.by_scheme == (("A", Decimal(8000)), ("B", Decimal(400)))


def test_overlapping_periods_of_one_scheme_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "overlap.yaml"
    bad.write_text(
        "title: t\nunit_costs: {bed_day: 400, admission_avoided: 2000}\noutcomes:\n"
        "  - {scheme: A, period: {start: 2024-01-01, end: 2024-03-31},"
        " counts: {bed_days_saved: 1, admissions_avoided: 0}}\n"
        "  - {scheme: A, period: {start: 2024-03-31, end: 2024-06-30},"
        " counts: {bed_days_saved: 1, admissions_avoided: 0}}\n"
    )
    with pytest.raises(PlanError) as caught:
        load_outcomes(bad)
    [problem] = caught.value.problems
    assert problem.path == "outcomes.1(A).period"
    assert "priced twice" in problem.message and "fix:" in problem.message


@pytest.mark.parametrize(
    ("counts", "path", "words"),
    [
        ({"bed_days_saved": -1, "admissions_avoided": 0}, "bed_days_saved", "fix:"),
        ({"bed_days_saved": 1, "admissions_avoided": "3"}, "admissions_avoided", "whole number"),
        ({"bed_days_saved": 1}, "admissions_avoided", "add this key"),
        ({"bed_days_saved": 1, "admissions_avoided": 1, "beds": 2}, "beds", "spelling"),
    ],
)
def test_bad_counts_name_path_and_fix(
    tmp_path: Path, counts: dict[str, Any], path: str, words: str
) -> None:
    bad = tmp_path / "bad.yaml"
    document = {
        "title": "t",
        "unit_costs": {"bed_day": 400, "admission_avoided": 2000},
        "outcomes": [{"scheme": "A", "period": {"start": "2024-01-01", "end": "2024-02-01"}}],
    }
    document["outcomes"][0]["counts"] = counts  # type: ignore[index]
    bad.write_text(yaml.safe_dump(document))
    with pytest.raises(PlanError) as caught:
        load_outcomes(bad)
    [problem] = caught.value.problems
    assert problem.file == str(bad)
    assert problem.path == f"outcomes.0.counts.{path}"
    assert words in problem.message


def test_period_backwards_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ends before it starts; fix: swap"):
        outcomes([entry(start="2024-05-01", end="2024-04-01")])
    with pytest.raises(PlanError, match="no such file"):
        load_outcomes(tmp_path / "absent.yaml")


def test_unknown_schemes_name_the_plan_schemes() -> None:
    model = outcomes([entry("W120"), entry("HART")])
    [problem] = unknown_schemes(model, {"W120", "AMRAU"}, "o.yaml")
    assert (problem.file, problem.path) == ("o.yaml", "outcomes.1(HART).scheme")
    assert problem.message.endswith("fix: use one of AMRAU, W120")


# No deadline: pydantic validation per example is fast but the shared machine is not.
SETTINGS = settings(deadline=None)
counts = st.integers(min_value=0, max_value=10**6)
costs = st.decimals(min_value=0, max_value=10**5, places=2)


@SETTINGS
@given(counts, counts, costs, costs, st.integers(min_value=0, max_value=50))
def test_linear_in_counts(days: int, admissions: int, bed: Decimal, adm: Decimal, k: int) -> None:
    once = price_outcome(
        outcomes([entry(days=days, admissions=admissions)]).outcomes[0], _c(bed, adm)
    )
    scaled = outcomes([entry(days=days * k, admissions=admissions * k)]).outcomes[0]
    assert price_outcome(scaled, _c(bed, adm)).total == k * once.total
    assert once.total == days * bed + admissions * adm


@SETTINGS
@given(counts, counts, costs, costs, costs, costs)
def test_linear_in_costs(
    days: int, admissions: int, bed1: Decimal, adm1: Decimal, bed2: Decimal, adm2: Decimal
) -> None:
    outcome = outcomes([entry(days=days, admissions=admissions)]).outcomes[0]
    together = price_outcome(outcome, _c(bed1 + bed2, adm1 + adm2)).total
    assert (
        together
        == price_outcome(outcome, _c(bed1, adm1)).total
        + price_outcome(outcome, _c(bed2, adm2)).total
    )


@SETTINGS
@given(st.lists(st.tuples(counts, counts, st.integers(0, 3)), min_size=1, max_size=8), costs, costs)
def test_total_is_sum_of_parts(
    rows: list[tuple[int, int, int]], bed: Decimal, adm: Decimal
) -> None:
    # Each row its own year, so one scheme may recur without overlapping periods.
    entries = [
        entry(f"S{s}", d, a, f"{2000 + i}-01-01", end=f"{2000 + i}-12-31")
        for i, (d, a, s) in enumerate(rows)
    ]
    report = calculate_savings(outcomes(entries, bed, adm))
    assert report.total == sum((s.total for s in report.outcomes), Decimal(0))
    assert report.total == sum((t for _, t in report.by_scheme), Decimal(0))
    for saving in report.outcomes:
        assert saving.total == saving.bed_days.amount + saving.admissions.amount


def _c(bed: Decimal, adm: Decimal) -> UnitCosts:
    return UnitCosts(bed_day=bed, admission_avoided=adm)
