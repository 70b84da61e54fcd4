"""Costs and funding: seed 001's winter 2020-21 figures reproduce exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from surgewatch.planning.costs import CostPlan, cost_plan, load_costs


def test_seed_001_figures(costs_path: Path) -> None:
    report = cost_plan(load_costs(costs_path))
    amounts = {line.name.split(" - ")[-1]: line.amount for line in report.lines}
    assert amounts["15 qualified social workers (locum)"] == Decimal(310800)
    assert amounts["3 Occupational Therapists (locum)"] == Decimal(77700)
    assert report.groups[0].total == Decimal(540286)
    [winter] = report.funding
    assert (winter.amount, winter.committed, winter.available) == (
        Decimal(6100000),
        Decimal(1400000),
        Decimal(4700000),
    )
    assert winter.remaining == Decimal(4700000 - 540286)
    assert report.mismatches == ()


amounts = st.decimals(min_value=0, max_value=10**7, places=2)


@given(st.lists(amounts, min_size=1, max_size=6), st.lists(amounts, min_size=1, max_size=6))
def test_costs_are_additive(first: list[Decimal], second: list[Decimal]) -> None:
    def plan(values: list[Decimal]) -> CostPlan:
        lines = [{"name": f"l{i}", "fixed": v} for i, v in enumerate(values)]
        return CostPlan.model_validate({"title": "t", "groups": [{"name": "g", "lines": lines}]})

    together = cost_plan(plan(first + second)).total
    assert together == cost_plan(plan(first)).total + cost_plan(plan(second)).total


def test_printed_mismatch_is_reported() -> None:
    plan = CostPlan.model_validate(
        {
            "title": "t",
            "groups": [
                {
                    "name": "g",
                    "printed_total": 10,
                    "lines": [
                        {"name": "x", "staffing": {"headcount": 2, "hourly_rate": 3, "hours": 1}}
                    ],
                }
            ],
        }
    )
    assert cost_plan(plan).mismatches == ("g: 6 computed, 10 printed",)
