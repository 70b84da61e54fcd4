"""Scoring a self-assessment: maturity per group and change since the last assessment.

Pure functions over a framework (:mod:`surgewatch.improvement.frameworks`) and the
levels an assessment gave its criteria. A criterion may be left unrated (a workshop
may cover some changes only); a group's figures use its rated criteria and say how
many those were.

Seed 003, '3. Principles': the model 'is not designed to be a performance
management tool', so a group gets two plain figures rather than one verdict: the
mean level of its rated criteria (what the radar chart plots) and the lowest level
any of them is at (the level the whole change has reached).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from surgewatch.improvement.frameworks import Framework, Group

__all__ = [
    "Comparison",
    "CriterionChange",
    "GroupChange",
    "GroupResult",
    "Movement",
    "RatingError",
    "check_ratings",
    "compare",
    "score",
]

Ratings = Mapping[str, int]
# Means are compared after rounding, so 2.0000001 and 2.0 count as no change.
PLACES = 2


class RatingError(ValueError):
    """Ratings that do not fit the framework; ``problems`` names each criterion."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class Movement(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    NEW = "newly assessed"
    DROPPED = "not assessed this time"
    NONE = "not assessed"


@dataclass(frozen=True)
class GroupResult:
    """One group's figures: ``counts`` maps every scale value to how many criteria had it."""

    group: Group
    rated: int
    total: int
    mean: float | None
    lowest: int | None
    highest: int | None
    counts: dict[int, int]


@dataclass(frozen=True)
class CriterionChange:
    criterion_id: str
    before: int | None
    now: int | None
    movement: Movement


@dataclass(frozen=True)
class GroupChange:
    group: Group
    before: float | None
    now: float | None
    delta: float | None
    movement: Movement
    criteria: list[CriterionChange]


@dataclass(frozen=True)
class Comparison:
    groups: list[GroupChange]

    def count(self, movement: Movement) -> int:
        """How many criteria moved this way (summaries: '3 better, 1 worse')."""
        return sum(1 for g in self.groups for c in g.criteria if c.movement is movement)


def check_ratings(framework: Framework, ratings: Ratings) -> list[str]:
    """Every problem with ``ratings``: unknown criteria, levels off the scale, none rated."""
    known = {c.id for _, c in framework.all_criteria()}
    values = framework.scale.values
    problems = [
        f"{cid}: not a criterion of {framework.id}; fix: use the framework's criterion ids"
        for cid in sorted(set(ratings) - known)
    ]
    problems += [
        f"{cid}: level {level} is not on the scale; fix: use {values[0]} to {values[-1]}"
        for cid, level in sorted(ratings.items())
        if cid in known and level not in values
    ]
    if not ratings:
        problems.append("ratings: none given; fix: rate at least one criterion")
    return problems


def score(framework: Framework, ratings: Ratings) -> list[GroupResult]:
    """Figures for every group of ``framework``, in its order (seed 003: per change)."""
    problems = check_ratings(framework, ratings)
    if problems:
        raise RatingError(problems)
    return [_group_result(framework, group, ratings) for group in framework.groups]


def _group_result(framework: Framework, group: Group, ratings: Ratings) -> GroupResult:
    given = [ratings[c.id] for c in group.criteria if c.id in ratings]
    counts = {value: given.count(value) for value in framework.scale.values}
    return GroupResult(
        group=group,
        rated=len(given),
        total=len(group.criteria),
        mean=sum(given) / len(given) if given else None,
        lowest=min(given, default=None),
        highest=max(given, default=None),
        counts=counts,
    )


def compare(framework: Framework, now: Ratings, before: Ratings | None) -> Comparison:
    """What moved since the previous assessment (``before``; None when there is none)."""
    current = {r.group.id: r for r in score(framework, now)}
    previous = {r.group.id: r for r in score(framework, before)} if before else {}
    earlier = before or {}
    groups = []
    for group in framework.groups:
        criteria = [
            _criterion_change(c.id, earlier.get(c.id), now.get(c.id)) for c in group.criteria
        ]
        was = previous[group.id].mean if previous else None
        groups.append(_group_change(group, was, current[group.id].mean, criteria))
    return Comparison(groups)


def _group_change(
    group: Group, before: float | None, now: float | None, criteria: list[CriterionChange]
) -> GroupChange:
    delta = round(now - before, PLACES) if now is not None and before is not None else None
    return GroupChange(group, before, now, delta, _movement(before, now), criteria)


def _criterion_change(criterion_id: str, before: int | None, now: int | None) -> CriterionChange:
    return CriterionChange(criterion_id, before, now, _movement(before, now))


def _movement(before: float | None, now: float | None) -> Movement:
    if before is None and now is None:
        return Movement.NONE
    if before is None:
        return Movement.NEW
    if now is None:
        return Movement.DROPPED
    difference = round(now - before, PLACES)
    if difference > 0:
        return Movement.BETTER
    return Movement.WORSE if difference < 0 else Movement.SAME
