"""Levels above the indicator: organisation suggestion, NHS score, system aggregation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from surgewatch.core.pack import LEVELS, Aggregation, Scoring, SuggestedLevelRule


def suggested_level(rule: SuggestedLevelRule, levels: Mapping[str, int]) -> int | None:
    """The organisation's suggested level from its indicators' levels.

    Seed 000, section 8: the Short-Term Pathway Service Manager declares the
    organisation level 'according to available trend data'; the pack's rule
    gives the suggestion that declaration starts from. ``highest`` takes the
    worst indicator; ``at_least`` the highest level reached by at least
    ``count`` indicators. With no assessed indicator there is no suggestion.
    """
    if not levels:
        return None
    if rule.rule == "highest":
        return max(levels.values())
    reached = [lvl for lvl in LEVELS if sum(v >= lvl for v in levels.values()) >= rule.count]
    return max(reached, default=1)


def worst_by_indicator(levels: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Each indicator's worst level across its areas (keys are (indicator, area))."""
    worst: dict[str, int] = {}
    for (indicator, _area), level in levels.items():
        worst[indicator] = max(level, worst.get(indicator, 0))
    return worst


def opel_score(scoring: Scoring, levels: Mapping[str, int]) -> float | None:
    """Weighted parameter points normalised to 0-100 (seed 000, section 3.1, Table 1).

    Only indicators with a level count: the maximum is taken over the same
    indicators, so a missing report neither raises nor lowers the score.
    """
    weights = {ind: w for ind, w in scoring.weights.items() if ind in levels}
    if not weights:
        return None
    top = max(scoring.level_points.values())
    earned = sum(w * scoring.level_points[levels[ind]] for ind, w in weights.items())
    possible = sum(w * top for w in weights.values())
    return 100.0 * earned / possible if possible else 0.0


def level_for_score(score: float, cutoffs: tuple[float, float, float] = (15, 40, 70)) -> int:
    """Table 1 of seed 000: 0-15 OPEL 1, >15-40 OPEL 2, >40-70 OPEL 3, >70-100 OPEL 4.

    Cut-offs are inclusive upper bounds, so exactly 15 is OPEL 1 and 15.01 is OPEL 2.
    """
    if not 0 <= score <= 100 or math.isnan(score):
        raise ValueError(f"an OPEL score must be within 0-100, got {score}")
    return 1 + sum(score > c for c in cutoffs)


@dataclass(frozen=True)
class MemberStatus:
    """One member of a system: its level and, where scored, its score."""

    member: str
    level: int
    score: float | None = None


@dataclass(frozen=True)
class SystemLevel:
    """A system's aggregate level and the level whose actions it enacts."""

    aggregate: int
    enacted: int
    score: float | None
    driven_by: tuple[str, ...]


def aggregate_system(
    aggregation: Aggregation,
    members: list[MemberStatus],
    cutoffs: tuple[float, float, float] = (15, 40, 70),
) -> SystemLevel:
    """A system's level from its members' (seed 000, Appendix 4).

    'ICSs and NHS England regions implement all OPEL 3 or 4 actions if any
    provider within their region is assessed as OPEL 3 or 4, regardless of the
    aggregated OPEL score': the enacted level is the aggregate, raised to the
    worst member at or above ``enact_member_level_from``.
    """
    if not members:
        raise ValueError("a system needs at least one member with a level to aggregate")
    aggregate, score = _aggregate(aggregation, members, cutoffs)
    serious = [m for m in members if m.level >= aggregation.enact_member_level_from]
    worst = max((m.level for m in serious), default=0)
    enacted = max(aggregate, worst)
    driven_by = tuple(m.member for m in serious if m.level == enacted and enacted > aggregate)
    return SystemLevel(aggregate, enacted, score, driven_by)


def _aggregate(
    aggregation: Aggregation, members: list[MemberStatus], cutoffs: tuple[float, float, float]
) -> tuple[int, float | None]:
    if aggregation.method == "highest":
        return max(m.level for m in members), None
    weights = [aggregation.member_weights.get(m.member, 1.0) for m in members]
    total = sum(weights)
    if aggregation.method == "weighted_mean_level":
        mean = sum(w * m.level for w, m in zip(weights, members, strict=True)) / total
        return _round_half_up(mean), None
    if any(m.score is None for m in members):
        missing = [m.member for m in members if m.score is None]
        raise ValueError(f"weighted_mean_score needs a score for every member; missing {missing}")
    score = sum(w * (m.score or 0.0) for w, m in zip(weights, members, strict=True)) / total
    return level_for_score(score, cutoffs), score


def _round_half_up(value: float) -> int:
    """2.5 rounds to 3: an aggregate exactly between two levels takes the worse one."""
    return math.floor(value + 0.5)
