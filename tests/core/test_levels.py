"""Organisation suggested level, Table 1 scoring and system aggregation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.core.levels import (
    MemberStatus,
    aggregate_system,
    level_for_score,
    opel_score,
    suggested_level,
)
from surgewatch.core.pack import Aggregation, Pack, Scoring, SuggestedLevelRule


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, 1), (15, 1), (15.01, 2), (40, 2), (40.01, 3), (70, 3), (70.01, 4), (100, 4)],
)
def test_table_1_boundaries_are_exact(score: float, level: int) -> None:
    assert level_for_score(score) == level


@given(st.floats(min_value=0, max_value=100))
def test_table_1_level_agrees_with_its_printed_ranges(score: float) -> None:
    expected = 1 if score <= 15 else 2 if score <= 40 else 3 if score <= 70 else 4
    assert level_for_score(score) == expected


@pytest.mark.parametrize("score", [-0.1, 100.5, float("nan")])
def test_scores_outside_0_to_100_are_refused(score: float) -> None:
    with pytest.raises(ValueError, match="within 0-100"):
        level_for_score(score)


def test_weighted_score_normalises_to_100() -> None:
    scoring = Scoring(weights={"a": 2, "b": 1})
    assert opel_score(scoring, {"a": 4, "b": 4}) == 100
    assert opel_score(scoring, {"a": 1, "b": 1}) == 0
    # a at level 3 earns 2 of 3 points with weight 2, b at 1 earns 0: 4 / 9.
    assert opel_score(scoring, {"a": 3, "b": 1}) == pytest.approx(400 / 9)


def test_score_ignores_indicators_without_a_level() -> None:
    scoring = Scoring(weights={"a": 1, "b": 1})
    assert opel_score(scoring, {"a": 4}) == 100
    assert opel_score(scoring, {}) is None


def test_suggested_level_rules() -> None:
    levels = {"a": 4, "b": 2, "c": 2, "d": 1}
    assert suggested_level(SuggestedLevelRule(rule="highest"), levels) == 4
    assert suggested_level(SuggestedLevelRule(rule="at_least", count=2), levels) == 2
    assert suggested_level(SuggestedLevelRule(rule="at_least", count=4), levels) == 1
    assert suggested_level(SuggestedLevelRule(rule="highest"), {}) is None


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(1, 4), min_size=1))
def test_at_least_never_exceeds_highest(levels: dict[str, int]) -> None:
    at_least = suggested_level(SuggestedLevelRule(rule="at_least", count=2), levels)
    highest = suggested_level(SuggestedLevelRule(rule="highest"), levels)
    assert at_least is not None and highest is not None
    assert 1 <= at_least <= highest


def test_any_member_at_3_or_4_sets_the_enacted_level() -> None:
    """Seed 000, Appendix 4: OPEL 3/4 actions whatever the aggregate."""
    rule = Aggregation(method="weighted_mean_level", member_weights={"big": 9, "small": 1})
    system = aggregate_system(rule, [MemberStatus("big", 1), MemberStatus("small", 4)])
    assert (system.aggregate, system.enacted, system.driven_by) == (1, 4, ("small",))


def test_a_member_at_2_does_not_raise_the_enacted_level() -> None:
    rule = Aggregation(method="weighted_mean_level", member_weights={"big": 9, "small": 1})
    system = aggregate_system(rule, [MemberStatus("big", 1), MemberStatus("small", 2)])
    assert (system.aggregate, system.enacted, system.driven_by) == (1, 1, ())


def test_weighted_mean_score_uses_table_1() -> None:
    rule = Aggregation(method="weighted_mean_score", member_weights={"a": 3, "b": 1})
    system = aggregate_system(rule, [MemberStatus("a", 1, 10.0), MemberStatus("b", 3, 50.0)])
    assert system.score == pytest.approx(20.0)
    assert (system.aggregate, system.enacted) == (2, 3)


def test_weighted_mean_score_needs_every_score() -> None:
    rule = Aggregation(method="weighted_mean_score")
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        aggregate_system(rule, [MemberStatus("a", 1, 10.0), MemberStatus("b", 1)])


@given(st.lists(st.integers(1, 4), min_size=1, max_size=8))
def test_enacted_level_is_at_least_every_serious_member(levels: list[int]) -> None:
    members = [MemberStatus(f"m{n}", lvl) for n, lvl in enumerate(levels)]
    system = aggregate_system(Aggregation(method="weighted_mean_level"), members)
    assert system.enacted >= max([lvl for lvl in levels if lvl >= 3], default=1)
    assert system.enacted >= system.aggregate


def test_acute_pack_scores_its_illustrative_parameters(acute: Pack) -> None:
    assert acute.scoring is not None
    assert acute.illustrative
    all_red = {ind.id: 3 for ind in acute.indicators}
    assert opel_score(acute.scoring, all_red) == pytest.approx(200 / 3)
