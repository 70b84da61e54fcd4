"""Writes for self-assessments and improvement actions. Each is one transaction.

Validation is all-or-nothing: every problem is named beside its field and nothing
is saved. The clock is passed in (``now``); the views read it at the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from surgewatch.improvement.frameworks import LoadedFramework
from surgewatch.improvement.maturity import check_ratings
from surgewatch.web.accounts.models import User
from surgewatch.web.calls.permissions import action_holders
from surgewatch.web.improve.models import (
    ActionStatus,
    Assessment,
    ImprovementAction,
    Rating,
)
from surgewatch.web.improve.permissions import require_assess
from surgewatch.web.orgs.models import Area, Organisation

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Given:
    """The level given to one criterion and the evidence for it."""

    level: int
    evidence: str


@dataclass(frozen=True)
class AssessmentInput:
    area: Area | None
    assessed_on: date | None  # None: missing or not a date (the form says which)
    assessors: str
    notes: str
    ratings: Mapping[str, Given]


@dataclass(frozen=True)
class ActionInput:
    group_id: str
    area: Area | None
    where_now: str
    what_to_do: str
    due_on: date | None  # None: missing or not a date
    success_measure: str
    owner: User | None


def level_field(criterion_id: str) -> str:
    return f"level-{criterion_id}"


def evidence_field(criterion_id: str) -> str:
    return f"evidence-{criterion_id}"


def record_assessment(
    user: User,
    organisation: Organisation,
    source: LoadedFramework,
    given: AssessmentInput,
    now: datetime,
) -> Assessment:
    """Store a new assessment and its ratings, numbered after the last one."""
    require_assess(user, organisation)
    errors = assessment_errors(organisation, source, given, now)
    if errors or given.assessed_on is None:
        raise ValidationError(errors or {"assessed_on": ["Give the date of the assessment"]})
    framework = source.framework
    with transaction.atomic():
        number = _next_number(Assessment, organisation, framework.id)
        assessment = Assessment.objects.create(
            organisation=organisation,
            area=given.area,
            framework_id=framework.id,
            framework_edition=framework.edition,
            framework_sha256=source.sha256,
            number=number,
            assessed_on=given.assessed_on,
            assessors=given.assessors.strip(),
            notes=given.notes.strip(),
            recorded_by=user,
            recorded_at=now,
        )
        for criterion_id, rating in given.ratings.items():
            group, _ = framework.criterion(criterion_id)
            Rating.objects.create(
                assessment=assessment,
                group_id=group.id,
                criterion_id=criterion_id,
                level=rating.level,
                evidence=rating.evidence.strip(),
            )
    return assessment


def assessment_errors(
    organisation: Organisation, source: LoadedFramework, given: AssessmentInput, now: datetime
) -> Errors:
    """Every problem with ``given``, keyed by form field (``__all__`` for the whole)."""
    errors: Errors = {}
    if not given.assessors.strip():
        errors["assessors"] = ["Name who took part in the assessment, with their roles"]
    if given.assessed_on is not None and given.assessed_on > timezone.localdate(now):
        errors["assessed_on"] = ["The assessment date is in the future; give the day it was made"]
    _check_area(organisation, given.area, errors)
    levels = {cid: r.level for cid, r in given.ratings.items()}
    for problem in check_ratings(source.framework, levels):
        key, _, message = problem.partition(": ")
        errors.setdefault("__all__" if key == "ratings" else level_field(key), []).append(message)
    for criterion_id, rating in given.ratings.items():
        if not rating.evidence.strip():
            message = "Give the evidence for this level (what shows it)"
            errors.setdefault(evidence_field(criterion_id), []).append(message)
    return errors


def _check_area(organisation: Organisation, area: Area | None, errors: Errors) -> None:
    if area is not None and area.organisation_id != organisation.pk:
        errors["area"] = [f"{area.name} is not an area of {organisation.name}"]


def _next_number(
    model: type[Assessment] | type[ImprovementAction], organisation: Organisation, framework_id: str
) -> int:
    """One more than the last number; call inside the transaction that saves the row."""
    # Locking the organisation row makes two people saving at once take turns.
    list(Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk"))
    rows = model.objects.filter(organisation=organisation, framework_id=framework_id)
    last = rows.aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def plan_action(
    user: User,
    organisation: Organisation,
    source: LoadedFramework,
    given: ActionInput,
    assessment: Assessment | None,
    now: datetime,
) -> ImprovementAction:
    """Add a row of the action planning template (seed 003) with its owner and due date."""
    require_assess(user, organisation)
    errors = action_errors(organisation, source, given)
    if errors:
        raise ValidationError(errors)
    assert given.due_on is not None and given.owner is not None  # action_errors checked
    with transaction.atomic():
        number = _next_number(ImprovementAction, organisation, source.framework.id)
        return ImprovementAction.objects.create(
            organisation=organisation,
            area=given.area,
            framework_id=source.framework.id,
            group_id=given.group_id,
            number=number,
            assessment=assessment,
            where_now=given.where_now.strip(),
            what_to_do=given.what_to_do.strip(),
            due_on=given.due_on,
            success_measure=given.success_measure.strip(),
            owner=given.owner,
            created_by=user,
            created_at=now,
        )


def action_errors(
    organisation: Organisation, source: LoadedFramework, given: ActionInput
) -> Errors:
    """Every problem with ``given``, keyed by form field."""
    template = source.framework.action_plan
    errors: Errors = {}
    if given.group_id not in {g.id for g in source.framework.groups}:
        errors["group_id"] = [f"Choose one of the {source.framework.group_label}s listed"]
    for field, question in (
        ("where_now", template.where_now),
        ("what_to_do", template.what_to_do),
        ("success_measure", template.success_measure),
    ):
        if not getattr(given, field).strip():
            errors[field] = [f"Answer '{question}'"]
    if given.due_on is None:
        errors["due_on"] = [f"Answer '{template.due_on}' with a date"]
    holders = action_holders(organisation)
    if given.owner is None or not holders.filter(pk=given.owner.pk).exists():
        errors["owner"] = [f"Choose an owner who holds a role in {organisation.name}"]
    _check_area(organisation, given.area, errors)
    return errors


def set_action_status(
    user: User, action: ImprovementAction, status: str, now: datetime
) -> ImprovementAction:
    """Mark an action done, or open again; the audit log keeps every change."""
    require_assess(user, action.organisation)
    if status not in ActionStatus.values:
        raise ValidationError({"status": ["Choose open or done"]})
    if action.status == status:
        return action
    action.status = status
    action.status_changed_by = user
    action.status_changed_at = now
    action.save(update_fields=["status", "status_changed_by", "status_changed_at"])
    return action
