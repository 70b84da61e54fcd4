"""Maturity per change and change since the last assessment (seed 003, HICM)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surgewatch.improvement.frameworks import Framework, load_framework
from surgewatch.improvement.maturity import Movement, RatingError, check_ratings, compare, score

HICM: Framework = load_framework("hicm-2015").framework
CRITERIA = [c.id for _, c in HICM.all_criteria()]


def test_a_change_gets_the_mean_and_lowest_of_its_rated_criteria() -> None:
    ratings = {"demand-and-capacity": 2, "demand-variation": 3, "bottlenecks": 5}
    results = {r.group.id: r for r in score(HICM, ratings)}
    flow = results["systems-to-monitor-patient-flow"]
    assert (flow.rated, flow.total) == (3, 5)
    assert flow.mean == pytest.approx(10 / 3)
    assert (flow.lowest, flow.highest) == (2, 5)
    assert flow.counts == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1}
    untouched = results["early-discharge-planning"]
    assert (untouched.rated, untouched.mean, untouched.lowest) == (0, None, None)
    assert [r.group.number for r in results.values()] == list(range(1, 9))


def test_bad_ratings_are_refused_naming_each_criterion() -> None:
    with pytest.raises(RatingError) as caught:
        score(HICM, {"bottlenecks": 6, "no-such-thing": 2})
    assert caught.value.problems == [
        "no-such-thing: not a criterion of hicm-2015; fix: use the framework's criterion ids",
        "bottlenecks: level 6 is not on the scale; fix: use 1 to 5",
    ]
    assert check_ratings(HICM, {}) == ["ratings: none given; fix: rate at least one criterion"]


def test_comparison_says_what_moved_per_criterion_and_change() -> None:
    before = {"elective-admissions": 1, "emergency-admissions": 3, "bottlenecks": 2}
    now = {"elective-admissions": 2, "emergency-admissions": 3, "daily-mdt": 4}
    comparison = compare(HICM, now, before)
    first = comparison.groups[0]
    assert (first.before, first.now, first.delta, first.movement) == (
        2.0,
        2.5,
        0.5,
        Movement.BETTER,
    )
    assert [c.movement for c in first.criteria] == [Movement.BETTER, Movement.SAME]
    flow = comparison.groups[1]
    assert (flow.before, flow.now, flow.delta, flow.movement) == (2.0, None, None, Movement.DROPPED)
    teams = comparison.groups[2]
    assert (teams.before, teams.now, teams.movement) == (None, 4.0, Movement.NEW)
    assert comparison.count(Movement.BETTER) == 1
    assert comparison.count(Movement.NEW) == 1
    assert comparison.count(Movement.DROPPED) == 1


def test_a_first_assessment_has_nothing_to_compare_with() -> None:
    comparison = compare(HICM, {"bottlenecks": 3}, None)
    assert {g.movement for g in comparison.groups} == {Movement.NEW, Movement.NONE}
    assert comparison.groups[1].delta is None


ratings = st.dictionaries(st.sampled_from(CRITERIA), st.integers(1, 5), min_size=1)


@given(ratings)
def test_the_mean_lies_between_lowest_and_highest(given_ratings: dict[str, int]) -> None:
    for result in score(HICM, given_ratings):
        assert sum(result.counts.values()) == result.rated
        if result.rated:
            assert result.lowest is not None and result.highest is not None
            assert result.lowest <= (result.mean or 0) <= result.highest


@given(ratings, ratings)
def test_comparison_is_antisymmetric(first: dict[str, int], second: dict[str, int]) -> None:
    forward, backward = compare(HICM, second, first), compare(HICM, first, second)
    flips = {Movement.BETTER: Movement.WORSE, Movement.WORSE: Movement.BETTER,
             Movement.SAME: Movement.SAME, Movement.NEW: Movement.DROPPED,
             Movement.DROPPED: Movement.NEW, Movement.NONE: Movement.NONE}  # fmt: skip
    for there, back in zip(forward.groups, backward.groups, strict=True):
        assert flips[there.movement] is back.movement
        if there.delta is not None:
            assert there.delta == pytest.approx(-(back.delta or 0), abs=0.011)
