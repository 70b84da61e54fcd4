"""Writes for calls: record a call, answer for an action, ask owners at the due time.

Seed 000, section 5.1: the calls agree local actions with partners. A call is
recorded in one transaction, all or nothing: every problem is named beside
its field and nothing is saved. The agenda is generated here from the stored
state, never typed. Owners are told of their actions as the call is saved,
and asked once, at the due time, whether each is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from surgewatch.core.pack import SystemCall
from surgewatch.web.accounts.models import User
from surgewatch.web.calls import agenda, checks, messages, selectors
from surgewatch.web.calls.checks import AgreedAction, Attendance
from surgewatch.web.calls.models import (
    ActionStatus,
    Call,
    CallAction,
    CallActionAnswer,
    CallAttendee,
)
from surgewatch.web.calls.permissions import action_holders, require_answer, require_hold_call
from surgewatch.web.decisions.checks import Errors, in_future
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of

__all__ = ["AgreedAction", "Attendance", "answer_action", "ask_due_owners", "record_call"]


def record_call(
    user: User,
    organisation: Organisation,
    *,
    call_id: str,
    held_at: datetime,
    chair: User | None,
    attendees: Sequence[Attendance],
    actions: Sequence[AgreedAction],
    now: datetime,
    notes: str = "",
) -> Call:
    """Record a call held (seed 000, section 5.1) and tell each action's owner.

    Raises PermissionDenied unless ``can_hold_call``; ValidationError keyed by
    field for an unknown call, a chair or owner without a role here, a call in
    the future, no partner present, or an action without partner, words,
    owner or a due time after the call.
    """
    require_hold_call(user, organisation)
    call = find_call(organisation, call_id)
    people = set(action_holders(organisation).values_list("pk", flat=True))
    _raise(
        checks.chair(chair, people),
        in_future("held_at", "the call time", held_at, now),
        checks.attendance(attendees),
        checks.actions(actions, held_at, people),
    )
    assert chair is not None  # checks.chair refused a missing one
    with transaction.atomic():
        record = _create(user, organisation, call, held_at, chair, notes, now)
        _add_attendees(record, attendees)
        for action in _add_actions(record, actions):
            messages.action_assigned(action, now)
        return record


def find_call(organisation: Organisation, call_id: str) -> SystemCall:
    """The pack's call ``call_id``; ValidationError naming the calls there are otherwise."""
    calls = pack_of(organisation.framework).calls
    found = next((c for c in calls if c.id == call_id), None)
    if found is None:
        known = ", ".join(c.id for c in calls) or "none: the plan in force defines no calls"
        raise ValidationError({"call_id": [f"'{call_id}' is not a call here; fix: use {known}"]})
    return found


def _create(
    user: User,
    organisation: Organisation,
    call: SystemCall,
    held_at: datetime,
    chair: User,
    notes: str,
    now: datetime,
) -> Call:
    pack = pack_of(organisation.framework)
    generated = agenda.generate(organisation, pack, call, now)
    return Call.objects.create(
        organisation=organisation,
        call_id=call.id,
        call_name=call.name,
        held_at=held_at,
        level=generated["acting_level"],
        chair=chair,
        notes=notes.strip(),
        recorded_by=user,
        recorded_at=now,
        framework=organisation.framework,
        agenda=generated,
    )


def _add_attendees(call: Call, rows: Sequence[Attendance]) -> None:
    CallAttendee.objects.bulk_create(
        CallAttendee(
            call=call,
            position=n,
            partner=row.partner.strip(),
            person=row.person.strip(),
            present=bool(row.present),
        )
        for n, row in enumerate(rows, start=1)
    )


def _add_actions(call: Call, rows: Sequence[AgreedAction]) -> list[CallAction]:
    made = []
    for n, row in enumerate(rows, start=1):
        assert row.owner is not None and row.due_at is not None  # checks.actions refused them
        made.append(
            CallAction.objects.create(
                call=call,
                position=n,
                partner=row.partner.strip(),
                text=row.text.strip(),
                owner=row.owner,
                owner_role=selectors.owner_role(row.owner, call.organisation),
                due_at=row.due_at,
            )
        )
    return made


def answer_action(
    user: User, action: CallAction, *, done: bool, note: str, now: datetime
) -> CallActionAnswer:
    """Record whether an action is done; the latest answer is its status. Never overwrites.

    Raises PermissionDenied unless ``can_answer``; ValidationError when 'not
    done' comes without a note, because the next call needs to know why.
    """
    require_answer(user, action)
    if not done and not note.strip():
        fix = "say why, and what happens next"
        raise ValidationError({"note": [f"'not done' needs a note; fix: {fix}"]})
    with transaction.atomic():
        locked = CallAction.objects.select_for_update().get(pk=action.pk)
        answer = CallActionAnswer.objects.create(
            action=locked, at=now, by=user, done=done, note=note.strip()
        )
        _status_from_latest(locked)
        return answer


def _status_from_latest(action: CallAction) -> None:
    """The action's status repeats its latest answer (by time, then by order of saving)."""
    latest = action.answers.order_by("-at", "-pk").first()
    assert latest is not None  # called after an answer is saved
    status = ActionStatus.DONE if latest.done else ActionStatus.NOT_DONE
    CallAction.objects.filter(pk=action.pk).update(status=status)


def ask_due_owners(now: datetime) -> int:
    """Ask each owner of an open action whose due time has come whether it is done.

    Each action is claimed with an UPDATE that applies only while it is still
    unasked (STYLE.md, after healthchecks), so two workers, or a worker run
    twice, ask once. Returns how many owners were asked.
    """
    due = CallAction.objects.filter(
        status=ActionStatus.OPEN, asked_at__isnull=True, due_at__lte=now
    )
    due = due.select_related("call__organisation", "owner").order_by("due_at", "pk")
    return sum(_ask(action, now) for action in due)


def _ask(action: CallAction, now: datetime) -> int:
    with transaction.atomic():
        unasked = CallAction.objects.filter(pk=action.pk, asked_at__isnull=True)
        claimed = unasked.filter(status=ActionStatus.OPEN)
        if not claimed.update(asked_at=now):
            return 0
        messages.ask_if_done(action, now)
        return 1


def _raise(*found: Errors) -> None:
    errors: Errors = {}
    for problems in found:
        for field, problem in problems.items():
            errors.setdefault(field, []).extend(problem)
    if errors:
        raise ValidationError(errors)
