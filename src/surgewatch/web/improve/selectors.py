"""Reads for self-assessments: results per group, the change since the previous assessment,
the radar chart's figures, action plans and a person's open improvement actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from surgewatch.improvement.frameworks import Criterion, Framework, Group
from surgewatch.improvement.maturity import (
    Comparison,
    GroupChange,
    GroupResult,
    Movement,
    compare,
    score,
)
from surgewatch.web.accounts.models import User
from surgewatch.web.improve.catalogue import loaded
from surgewatch.web.improve.models import Assessment, ImprovementAction, Rating
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.permissions import visible_organisations

Json = dict[str, object]


@dataclass(frozen=True)
class RatedCriterion:
    criterion: Criterion
    level: int | None
    level_name: str
    level_text: str
    evidence: str
    before: int | None
    movement: Movement


@dataclass(frozen=True)
class GroupRow:
    result: GroupResult
    change: GroupChange
    criteria: list[RatedCriterion]

    @property
    def group(self) -> Group:
        return self.result.group


@dataclass(frozen=True)
class Results:
    framework: Framework
    assessment: Assessment
    previous: Assessment | None
    groups: list[GroupRow]
    comparison: Comparison

    @property
    def better(self) -> int:
        return self.comparison.count(Movement.BETTER)

    @property
    def worse(self) -> int:
        return self.comparison.count(Movement.WORSE)

    @property
    def same(self) -> int:
        return self.comparison.count(Movement.SAME)


def assessments(
    organisation: Organisation, framework_id: str, area: Area | None
) -> list[Assessment]:
    """Every assessment of the scope, newest first."""
    return list(Assessment.objects.for_scope(organisation, framework_id, area).newest_first())


def latest(organisation: Organisation, framework_id: str, area: Area | None) -> Assessment | None:
    return Assessment.objects.for_scope(organisation, framework_id, area).newest_first().first()


def previous_of(assessment: Assessment) -> Assessment | None:
    """The assessment of the same scope made before this one (by date, then number)."""
    scope = Assessment.objects.for_scope(
        assessment.organisation, assessment.framework_id, assessment.area
    )
    earlier = scope.filter(assessed_on__lt=assessment.assessed_on) | scope.filter(
        assessed_on=assessment.assessed_on, number__lt=assessment.number
    )
    return earlier.newest_first().first()


def levels_of(assessment: Assessment) -> dict[str, Rating]:
    return {r.criterion_id: r for r in assessment.ratings.all()}


def results_for(framework: Framework, assessment: Assessment) -> Results:
    """The assessment's figures per group and what moved since the previous one."""
    previous = previous_of(assessment)
    now = levels_of(assessment)
    before = levels_of(previous) if previous else {}
    comparison = compare(
        framework,
        {k: r.level for k, r in now.items()},
        {k: r.level for k, r in before.items()} or None,
    )
    rows = [
        GroupRow(result, change, _rated(framework, result.group, now, change))
        for result, change in zip(
            score(framework, {k: r.level for k, r in now.items()}),
            comparison.groups,
            strict=True,
        )
    ]
    return Results(framework, assessment, previous, rows, comparison)


def _rated(
    framework: Framework, group: Group, now: dict[str, Rating], change: GroupChange
) -> list[RatedCriterion]:
    moved = {c.criterion_id: c for c in change.criteria}
    rated = []
    for criterion in group.criteria:
        rating = now.get(criterion.id)
        level = framework.scale.level(rating.level) if rating else None
        rated.append(
            RatedCriterion(
                criterion=criterion,
                level=rating.level if rating else None,
                level_name=level.name if level else "Not assessed",
                level_text=criterion.levels.get(level.id, "") if level else "",
                evidence=rating.evidence if rating else "",
                before=moved[criterion.id].before,
                movement=moved[criterion.id].movement,
            )
        )
    return rated


def chart_data(results: Results) -> Json:
    """The radar chart's figures: the mean level per group, now and at the previous one."""
    framework = results.framework
    series = [_series(f"Assessment {results.assessment.number}", results.groups, now=True)]
    if results.previous is not None:
        label = f"Assessment {results.previous.number} (previous)"
        series.append(_series(label, results.groups, now=False))
    return {
        "labels": [f"{g.group.number}. {g.group.title}" for g in results.groups],
        "short_labels": [
            f"{framework.group_label.title()} {g.group.number}" for g in results.groups
        ],
        "levels": [level.name for level in framework.scale.levels],
        "series": series,
    }


def _series(label: str, rows: list[GroupRow], *, now: bool) -> Json:
    values = [row.change.now if now else row.change.before for row in rows]
    return {"label": label, "values": [round(v, 2) if v is not None else None for v in values]}


def plan(
    organisation: Organisation, framework: Framework, area: Area | None
) -> list[tuple[Group, list[ImprovementAction]]]:
    """The action plan: each group of the framework with its actions, earliest due first."""
    rows = ImprovementAction.objects.filter(
        organisation=organisation, framework_id=framework.id, area=area
    ).by_due_date()
    by_group: dict[str, list[ImprovementAction]] = {g.id: [] for g in framework.groups}
    for action in rows:
        by_group.setdefault(action.group_id, []).append(action)
    return [(g, by_group[g.id]) for g in framework.groups]


@dataclass(frozen=True)
class MyAction:
    action: ImprovementAction
    group_title: str
    framework_name: str
    overdue: bool


def open_actions_for(user: User, today: date) -> list[MyAction]:
    """The user's open improvement actions in organisations they may see, overdue first."""
    mine = ImprovementAction.objects.open().filter(
        owner=user, organisation__in=visible_organisations(user)
    )
    found = []
    for action in mine.by_due_date():
        framework = loaded(action.framework_id).framework
        title = framework.group(action.group_id).title
        found.append(MyAction(action, title, framework.short_name, action.is_overdue(today)))
    return found
