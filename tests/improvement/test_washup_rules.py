"""The wash-up board's arithmetic (issue 7; seed 003, Kent Acute Hospital Optimisation):
the data file, the blocker Pareto, shortfall, overdue actions and DTOC delayed days."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.improvement.washup import (
    DelayRecord,
    WashupData,
    WashupDataError,
    delayed_days,
    delayed_days_per_population,
    is_overdue,
    load_washup,
    pareto,
    shortfall,
)


@pytest.fixture(scope="module")
def data() -> WashupData:
    return load_washup()


def test_the_bundled_file_orders_outcomes_from_home_to_long_term_care(data: WashupData) -> None:
    assert data.outcome_ids() == [
        "home-no-support",
        "home-with-support",
        "short-term-bed",
        "long-term-residential",
        "long-term-nursing",
    ]


def test_the_managed_blocker_list_holds_the_boards_prompts(data: WashupData) -> None:
    names = {b.name for b in data.blockers}
    assert "Night sitting service not available" in names  # the seed's example row
    assert {"No suitable accommodation", "Delay in accessing equipment"} <= names
    assert data.blocker("other").free_text_required is True
    assert [a.id for a in data.attributions] == ["nhs", "social_care", "both"]
    assert data.per_population == 100_000


def test_the_seeds_example_falls_short_by_three_steps(data: WashupData) -> None:
    """Mark Smith: ideal 'Home', expected 'Long term residential care' (seed 003)."""
    assert shortfall(data, "home-no-support", "long-term-residential") == 3
    assert shortfall(data, "home-with-support", "home-with-support") == 0
    # Doing better than the ideal is not a shortfall.
    assert shortfall(data, "short-term-bed", "home-no-support") == 0


def test_an_unknown_outcome_is_named(data: WashupData) -> None:
    with pytest.raises(KeyError, match="unknown outcome 'hotel'"):
        shortfall(data, "hotel", "home-no-support")


def test_pareto_ranks_blockers_with_shares_and_running_share() -> None:
    rows = pareto(["equipment", "night", "night", "housing", "night", "equipment"])
    assert [(r.blocker, r.count) for r in rows] == [("night", 3), ("equipment", 2), ("housing", 1)]
    assert [round(r.share, 3) for r in rows] == [0.5, 0.333, 0.167]
    assert [round(r.cumulative, 3) for r in rows] == [0.5, 0.833, 1.0]


def test_pareto_breaks_ties_by_the_managed_order() -> None:
    rows = pareto(["b", "a", "c"], order=["c", "b", "a"])
    assert [r.blocker for r in rows] == ["c", "b", "a"]


def test_pareto_of_nothing_is_empty() -> None:
    assert pareto([]) == []


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=60))
def test_pareto_counts_add_up_and_never_rise(blockers: list[str]) -> None:
    rows = pareto(blockers)
    assert sum(r.count for r in rows) == len(blockers)
    assert all(x.count >= y.count for x, y in itertools.pairwise(rows))
    assert rows[-1].cumulative == pytest.approx(1.0)


def test_an_action_is_overdue_after_its_deadline_day_until_done() -> None:
    today = date(2026, 1, 5)
    assert is_overdue(date(2026, 1, 4), None, today)
    assert not is_overdue(date(2026, 1, 5), None, today)  # due today: not yet late
    assert not is_overdue(date(2026, 1, 4), date(2026, 1, 5), today)
    assert not is_overdue(None, None, today)


def test_delayed_days_run_from_fit_to_the_day_before_discharge() -> None:
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    assert delayed_days(date(2026, 1, 10), date(2026, 1, 14), start, end) == 4
    assert delayed_days(date(2026, 1, 10), date(2026, 1, 10), start, end) == 0
    # Still in hospital: to the end of the period, inclusive.
    assert delayed_days(date(2026, 1, 30), None, start, end) == 2
    # Only the days inside the period count.
    assert delayed_days(date(2025, 12, 20), date(2026, 1, 3), start, end) == 2
    assert delayed_days(None, None, start, end) == 0


@given(
    st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    st.integers(0, 90),
    st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    st.integers(0, 60),
)
def test_delayed_days_never_exceed_the_period_or_the_stay(
    fit: date, stay: int, start: date, length: int
) -> None:
    end = date.fromordinal(start.toordinal() + length)
    discharged = date.fromordinal(fit.toordinal() + stay)
    days = delayed_days(fit, discharged, start, end)
    assert 0 <= days <= min(stay, length + 1)


def test_delayed_days_per_100000_by_area_and_attribution() -> None:
    records = [
        DelayRecord("dgs", "social_care", 12),
        DelayRecord("dgs", "nhs", 3),
        DelayRecord("dgs", "social_care", 8),
        DelayRecord("swale", "both", 5),
    ]
    rows = delayed_days_per_population(
        records, {"dgs": 250_000, "swale": None}, ["nhs", "social_care", "both"]
    )
    table = {(r.area, r.attribution): (r.days, r.rate) for r in rows}
    assert table[("dgs", "social_care")] == (20, 8.0)
    assert table[("dgs", "nhs")] == (3, 1.2)
    assert table[("dgs", "both")] == (0, 0.0)
    assert table[("dgs", "total")] == (23, 9.2)
    assert table[("swale", "total")] == (5, None)  # no population: days only
    assert [r.area for r in rows] == ["dgs"] * 4 + ["swale"] * 4


def test_a_record_with_an_unknown_attribution_is_refused() -> None:
    with pytest.raises(ValueError, match="attribution 'council'"):
        delayed_days_per_population([DelayRecord("dgs", "council", 1)], {"dgs": 1}, ["nhs"])


def test_a_bad_data_file_names_the_file_and_each_problem(tmp_path: Path) -> None:
    bad = tmp_path / "washup.yaml"
    bad.write_text(
        "source: test\n"
        "outcomes: [{id: home, name: Home}, {id: home, name: Home again}]\n"
        "blockers: [{id: x, name: X, attribution: council}]\n"
        "attributions: [{id: nhs, name: NHS}]\n"
        "per_population: 100000\n"
    )
    with pytest.raises(WashupDataError) as refused:
        load_washup(bad)
    message = str(refused.value)
    assert str(bad) in message
    assert "outcomes: ids ['home'] appear twice" in message


def test_a_missing_data_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(WashupDataError, match="no such file"):
        load_washup(tmp_path / "nowhere.yaml")
