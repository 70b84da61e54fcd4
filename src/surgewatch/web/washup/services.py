"""Writes for the wash-up board, each in one transaction, each checked on the server.

Every change to a case is on the audit log through the model signals (issue 7,
'Security'); the checks here repeat the forms' so a script or a crafted post meets
the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from surgewatch.improvement.washup import WashupData
from surgewatch.web.accounts.models import User
from surgewatch.web.actions.cards import event
from surgewatch.web.actions.models import ActionCard, CardEventKind, CardSource, Deadline
from surgewatch.web.actions.permissions import area_holders
from surgewatch.web.actions.selectors import acting_change
from surgewatch.web.notify.services import notify_role
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.permissions import may_see_patient_records
from surgewatch.web.washup.data import washup_data
from surgewatch.web.washup.models import (
    REFERENCE_PATTERN,
    BlockerEscalation,
    WashupCase,
    WashupCaseRevision,
)

# Seed 003, 'Weekly improvement cycle': a blocker is 'escalated to area management
# team'. In the Kent pack the manager of each area's short-term pathway (hospital
# discharge) team is the Short-Term Pathway Team Manager, an area-scoped role (seed 000,
# sections 4.2 and 7.3: caseload and staffing are reported per area, and the role gives
# the PASC Connect Operations Manager regular updates). The board is that team's own
# meeting, so the team manager is the first rung of area management; a card missed
# escalates up the pack's line (to the PASC Connect Operations Manager) as every card does.
AREA_MANAGEMENT_ROLE = "stp-team-manager"
# Records one problem against a field: (field name, message).
Problem = Callable[[str, str], None]
# A card's level is the level standing when it was agreed; none yet is business as usual.
NO_LEVEL = 1
# A revision's note is a line or two on what changed, as the form allows.
NOTE_MAX = 2000


@dataclass(frozen=True)
class CaseFields:
    """What a person types about a case (forms and scripts alike)."""

    reference: str
    hospital: str
    ward: str
    ideal_outcome: str
    expected_outcome: str
    blocker: str
    blocker_detail: str
    action: str
    action_owner: str
    action_deadline: date
    review_date: date
    action_done_on: date | None = None
    fit_for_discharge_on: date | None = None
    delay_attribution: str = ""
    discharge_date: date | None = None
    actual_outcome: str = ""

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def require_patient_records(user: User, area: Area) -> None:
    if not may_see_patient_records(user, area):
        raise PermissionDenied(f"{user} may not open patient-level records of {area.slug}")


def check_case(data: WashupData, given: CaseFields) -> None:
    """Every problem at once, each naming its field (ValidationError)."""
    problems: dict[str, list[str]] = {}

    def problem(name: str, text: str) -> None:
        problems.setdefault(name, []).append(text)

    _check_reference(given.reference, problem)
    outcomes = data.outcome_ids()
    for name in ("ideal_outcome", "expected_outcome"):
        if getattr(given, name) not in outcomes:
            problem(name, f"is not one of the outcomes; fix: choose one of {outcomes}")
    if given.actual_outcome and given.actual_outcome not in outcomes:
        problem("actual_outcome", f"is not one of the outcomes; fix: choose one of {outcomes}")
    _check_blocker(data, given, problem)
    _check_dates(given, problem)
    if problems:
        raise ValidationError(problems)


def _check_reference(reference: str, problem: Problem) -> None:
    if not re.fullmatch(REFERENCE_PATTERN, reference):
        problem(
            "reference",
            "must be 3-32 letters, digits, '-' or '/' (a pseudonymous reference such as the "
            "SWIFT ID, never a name); fix: use the case reference",
        )


def _check_blocker(data: WashupData, given: CaseFields, problem: Problem) -> None:
    try:
        blocker = data.blocker(given.blocker)
    except KeyError as unknown:
        problem("blocker", str(unknown.args[0]))
        return
    if blocker.free_text_required and not given.blocker_detail.strip():
        problem("blocker_detail", f"is needed for '{blocker.name}'; fix: describe the blocker")
    kinds = [a.id for a in data.attributions]
    if given.delay_attribution and given.delay_attribution not in kinds:
        problem("delay_attribution", f"is not one of {kinds}")


def _check_dates(given: CaseFields, problem: Problem) -> None:
    if given.fit_for_discharge_on and not given.delay_attribution:
        problem("delay_attribution", "is needed with a fit-for-discharge date; fix: choose one")
    fit, out = given.fit_for_discharge_on, given.discharge_date
    if fit and out and out < fit:
        problem("discharge_date", "is before the fit-for-discharge date; fix: check both")
    if bool(given.discharge_date) != bool(given.actual_outcome):
        name = "actual_outcome" if given.discharge_date else "discharge_date"
        problem(name, "closes the case together with the other; fix: give both or neither")


def open_case(
    user: User, area: Area, given: CaseFields, now: datetime, note: str = ""
) -> WashupCase:
    """Seed 003: 'All new referrals will be put on the board prior to the next meeting'.
    The case and its first revision are written together."""
    require_patient_records(user, area)
    check_case(washup_data(), given)
    _check_note(note)
    with transaction.atomic():
        _refuse_duplicate(area.organisation, given.reference, None)
        case = WashupCase.objects.create(
            organisation=area.organisation,
            area=area,
            created_by=user,
            created_at=now,
            updated_at=now,
            closed_at=now if given.discharge_date else None,
            **given.values(),
        )
        WashupCaseRevision.of(case, 1, user, note.strip()).save()
        return case


def update_case(
    user: User, case: WashupCase, given: CaseFields, now: datetime, note: str = ""
) -> WashupCase:
    """A weekly review's changes. Giving the discharge date and actual outcome closes the
    case (seed 003: recorded 'once the discharge date is confirmed'); removing them
    opens it again. The change supersedes, never overwrites (DESIGN.md, 'Security and
    records'): the current row moves on and a new revision keeps the values it now holds,
    so every earlier state stays in the case's history."""
    require_patient_records(user, case.area)
    check_case(washup_data(), given)
    _check_note(note)
    with transaction.atomic():
        # The lock also serialises revision numbers of the same case.
        locked = WashupCase.objects.select_for_update().get(pk=case.pk)
        _refuse_duplicate(locked.organisation, given.reference, locked.pk)
        for name, value in given.values().items():
            setattr(locked, name, value)
        if given.discharge_date is None:
            locked.closed_at = None
        elif locked.closed_at is None:
            locked.closed_at = now
        locked.updated_at = now
        locked.save()
        WashupCaseRevision.of(locked, _next_number(locked), user, note.strip()).save()
        return locked


def _check_note(note: str) -> None:
    if len(note) > NOTE_MAX:
        fix = f"keep it to {NOTE_MAX} characters"
        raise ValidationError({"note": [f"is {len(note)} characters long; fix: {fix}"]})


def _next_number(case: WashupCase) -> int:
    latest = case.revisions.aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def _refuse_duplicate(organisation: Organisation, reference: str, pk: int | None) -> None:
    others = WashupCase.objects.open().filter(organisation=organisation, reference=reference)
    if pk is not None:
        others = others.exclude(pk=pk)
    if others.exists():
        fix = "open the case already on the board"
        raise ValidationError({"reference": [f"is already on the board; fix: {fix}"]})


@dataclass(frozen=True)
class Escalation:
    area: Area
    blocker: str
    cases: int
    period_start: date
    period_end: date
    note: str
    due_at: datetime


def escalate_blocker(user: User, given: Escalation, now: datetime) -> BlockerEscalation:
    """An action card for the area management team (``AREA_MANAGEMENT_ROLE``) in the
    blocker's area, due when the cycle asks; the record keeps counts, no patient."""
    require_patient_records(user, given.area)
    blocker = washup_data().blocker(given.blocker)
    if given.due_at <= now:
        raise ValidationError({"due_at": ["is in the past; fix: give a time to come"]})
    with transaction.atomic():
        card = _open_card(given, blocker.name, now)
        escalation = BlockerEscalation.objects.create(
            organisation=given.area.organisation,
            area=given.area,
            blocker=given.blocker,
            cases=given.cases,
            period_start=given.period_start,
            period_end=given.period_end,
            note=given.note,
            escalated_by=user,
            escalated_at=now,
            card=card,
        )
    _tell(card, now)
    return escalation


def _open_card(given: Escalation, blocker_name: str, now: datetime) -> ActionCard:
    org, area = given.area.organisation, given.area
    acting = acting_change(org)
    holders = area_holders(org, AREA_MANAGEMENT_ROLE, area, deputies=False)
    text = (
        f"Wash-up blocker escalated for {area.name}: {blocker_name} "
        f"({given.cases} case{'s' if given.cases != 1 else ''}, "
        f"{given.period_start:%d %b} to {given.period_end:%d %b %Y}). {given.note}"
    )
    card = ActionCard.objects.create(
        organisation=org,
        area=area,
        # Agreed at the weekly improvement cycle, a meeting (seed 003).
        source=CardSource.MEETING,
        role=AREA_MANAGEMENT_ROLE,
        action_id=f"washup-{area.slug}-{given.blocker}"[:96],
        level=acting.to_level if acting else NO_LEVEL,
        text=text,
        opened_at=now,
        assignee=holders[0] if len(holders) == 1 else None,
    )
    event(card, CardEventKind.OPENED, now, note="escalated from the weekly improvement cycle")
    Deadline.objects.create(card=card, due_at=given.due_at)
    return card


def _tell(card: ActionCard, now: datetime) -> None:
    notify_role(
        card.organisation,
        card.role,
        subject=f"Wash-up blocker escalated to {card.area.name if card.area else 'you'}",
        body=card.text,
        link=reverse("action-card", args=[card.pk]),
        event_key=f"card:{card.pk}:opened",
        now=now,
        area=card.area,
    )
