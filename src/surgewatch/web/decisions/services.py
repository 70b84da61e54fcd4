"""Writes for the decision log and group meetings. Each is one transaction.

Validation is all-or-nothing: every problem is named beside its field and
nothing is saved. The situation the entry was made in (level, indicators,
framework) is captured here from the stored readings, never typed. A
correction is a new entry that points at the one it corrects and keeps that
entry's snapshot, because it fixes the record of a decision made then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from surgewatch.web.accounts.models import User
from surgewatch.web.calls.permissions import action_holders
from surgewatch.web.decisions import checks, follow_ups, snapshot
from surgewatch.web.decisions.checks import AgreedAction, Attendee, Errors
from surgewatch.web.decisions.models import Decision, Meeting, MeetingAction, MeetingAttendee
from surgewatch.web.decisions.permissions import require_record
from surgewatch.web.escalation.selectors import organisation_status
from surgewatch.web.orgs.models import Framework, Organisation
from surgewatch.web.orgs.packs import pack_of

__all__ = ["AgreedAction", "Attendee", "record_decision", "record_meeting"]

# Seed 000, Appendix 4: what was decided, the risk, how it was identified and
# measured 'to determine its potential for harm', and who decided.
DECISION_WORDING = {
    "decision": ("the decision", "say what was decided"),
    "risk": ("the risk", "say which risk the decision mitigates"),
    "identified_by": ("how the risk was identified", "say how it came to light"),
    "measured_by": ("how the risk was measured", "say how its potential for harm was judged"),
    "decided_by": ("who decided", "name the person and their role"),
}
MEETING_WORDING = {
    "convened_by": ("who convened the group", "name the person and their role"),
    "chair": ("the chair", "name who chaired the meeting"),
    "chair_role": ("the chair's role", "give the chair's role"),
}


Entry = TypeVar("Entry", Decision, Meeting)


@dataclass(frozen=True)
class _Situation:
    """What an entry keeps of the moment it was made."""

    snapshot: snapshot.Json
    level: int | None
    framework: Framework


def record_decision(
    user: User,
    organisation: Organisation,
    *,
    decision: str,
    risk: str,
    identified_by: str,
    measured_by: str,
    decided_by: str,
    review_at: datetime,
    decided_at: datetime,
    now: datetime,
    corrects: Decision | None = None,
    correction_reason: str = "",
    external_factors: str = "",
    decider: User | None = None,
) -> Decision:
    """Add an entry to the decision and dynamic risk assessment log (seed 000, Appendix 4).

    The 'follow-up review time' becomes a card due then for ``decider``, the
    person who decided (the one recording, unless named; see ``follow_ups``).
    Raises PermissionDenied unless ``can_record``; ValidationError keyed by
    field for an empty text, a decision in the future, a review not after the
    decision, a decider holding no role here, or a correction without a reason
    or of an entry already corrected.
    """
    require_record(user, organisation)
    reviewer = decider or user
    texts = {
        "decision": decision,
        "risk": risk,
        "identified_by": identified_by,
        "measured_by": measured_by,
        "decided_by": decided_by,
        "external_factors": external_factors,
    }
    with transaction.atomic():
        original = _lock(Decision, organisation, corrects)
        _raise(
            checks.blank(texts, DECISION_WORDING),
            checks.too_long({"decided_by": decided_by}),
            checks.in_future("decided_at", "the decision time", decided_at, now),
            checks.review_not_after(decided_at, review_at),
            _correction_errors("decision", original, correction_reason),
            _unchanged(
                original,
                {**texts, "decided_at": decided_at, "review_at": review_at},
                decider=reviewer,
            ),
            {} if decider in (None, user) else _decider_errors(organisation, reviewer),
        )
        situation = _situation(organisation, original, now)
        card = follow_ups.review_card(
            organisation, original, reviewer, review_at, situation.level, now
        )
        entry = Decision.objects.create(
            organisation=organisation,
            **{field: value.strip() for field, value in texts.items()},
            decided_at=decided_at,
            review_at=review_at,
            recorded_by=user,
            recorded_at=now,
            framework=situation.framework,
            snapshot=situation.snapshot,
            snapshot_level=situation.level,
            corrects=original,
            correction_reason=correction_reason.strip(),
            decider=reviewer,
            review_card=card,
        )
        follow_ups.name_review_card(entry, now)
        return entry


def _decider_errors(organisation: Organisation, person: User) -> Errors:
    allowed = set(action_holders(organisation).values_list("pk", flat=True))
    return checks.decider(person, allowed, organisation.name)


def record_meeting(
    user: User,
    organisation: Organisation,
    *,
    group_id: str,
    convened_at: datetime,
    convened_by: str,
    chair: str,
    chair_role: str,
    attendees: Sequence[Attendee],
    actions: Sequence[AgreedAction],
    agreed_level: int | None,
    agreed_level_reason: str,
    now: datetime,
    position: str = "",
    support_required: str = "",
    corrects: Meeting | None = None,
    correction_reason: str = "",
) -> Meeting:
    """Record a meeting of one of the pack's groups (seed 000, section 5.2).

    The group 'will consider current position, actions required to alleviate
    pressure and support required from other agencies', and 'the KCC OPEL
    status on SHREWD may be escalated based the Group's assessment': so the
    record keeps who met, the actions agreed (owner and due time) and any
    status change agreed, with its reason. Raises as ``record_decision`` does.
    """
    require_record(user, organisation)
    names = {"convened_by": convened_by, "chair": chair, "chair_role": chair_role}
    with transaction.atomic():
        original = _lock(Meeting, organisation, corrects)
        group_name = _group_name(organisation, group_id)
        _raise(
            {} if group_name else _unknown_group(organisation, group_id),
            checks.blank(names, MEETING_WORDING),
            checks.too_long(names),
            checks.in_future("convened_at", "the meeting time", convened_at, now),
            checks.attendees(attendees),
            checks.agreed_actions(actions, convened_at),
            _owner_errors(organisation, actions),
            checks.agreed_level(agreed_level, agreed_level_reason),
            _correction_errors("meeting", original, correction_reason),
        )
        situation = _situation(organisation, original, now)
        meeting = Meeting.objects.create(
            organisation=organisation,
            group_id=group_id,
            group_name=group_name,
            convened_at=convened_at,
            **{field: value.strip() for field, value in names.items()},
            position=position.strip(),
            support_required=support_required.strip(),
            agreed_level=agreed_level,
            agreed_level_reason=agreed_level_reason.strip(),
            recorded_by=user,
            recorded_at=now,
            framework=situation.framework,
            snapshot=situation.snapshot,
            snapshot_level=situation.level,
            corrects=original,
            correction_reason=correction_reason.strip(),
        )
        _add_rows(meeting, attendees, actions, original, now)
        return meeting


def _owner_errors(organisation: Organisation, actions: Sequence[AgreedAction]) -> Errors:
    if all(a.owner_user is None for a in actions):
        return {}
    allowed = set(action_holders(organisation).values_list("pk", flat=True))
    return checks.owners(actions, allowed, organisation.name)


def _add_rows(
    meeting: Meeting,
    attendees: Sequence[Attendee],
    actions: Sequence[AgreedAction],
    original: Meeting | None,
    now: datetime,
) -> None:
    """The attendees and agreed actions; each action owned by a person gets a card
    (``follow_ups``), and the corrected meeting's cards not carried over stand down."""
    MeetingAttendee.objects.bulk_create(
        MeetingAttendee(meeting=meeting, position=n, name=a.name.strip(), role=a.role.strip())
        for n, a in enumerate(attendees, start=1)
    )
    kept = follow_ups.cards_to_keep(original)
    rows = []
    for n, action in enumerate(actions, start=1):
        assert action.due_at is not None  # checks.agreed_actions refused a missing one
        card = follow_ups.meeting_action_card(meeting, n, action, kept, now)
        rows.append(
            MeetingAction(
                meeting=meeting, position=n, text=action.text.strip(), owner=_owner(action),
                due_at=action.due_at, owner_user=action.owner_user, card=card,
            )
        )  # fmt: skip
    MeetingAction.objects.bulk_create(rows)
    if original is not None:
        follow_ups.retire(kept.values(), now, f"meeting {original.pk} corrected by {meeting.pk}")


def _owner(action: AgreedAction) -> str:
    """How the record names the owner: as typed, else the chosen person's name."""
    if action.owner.strip() or action.owner_user is None:
        return action.owner.strip()
    person = action.owner_user
    return person.get_full_name() or person.get_username()


def _lock(model: type[Entry], organisation: Organisation, corrects: Entry | None) -> Entry | None:
    """The entry being corrected, locked so two people cannot both correct it."""
    if corrects is None:
        return None
    found = model.objects.select_for_update().filter(pk=corrects.pk, organisation=organisation)
    original = found.first()
    if original is None:
        raise ValidationError({"corrects": [f"no entry {corrects.pk} in {organisation.slug}"]})
    return original


def _correction_errors(kind: str, original: Decision | Meeting | None, reason: str) -> Errors:
    if original is None:
        return checks.correction(kind, None, None, reason)
    # Read afresh under the lock rather than trusting a cached reverse relation.
    model = type(original)
    later = model.objects.filter(corrects=original).values_list("pk", flat=True).first()
    return checks.correction(kind, original.pk, later, reason)


def _unchanged(
    original: Decision | None, values: dict[str, Any], *, decider: User | None = None
) -> Errors:
    """A correction that changes nothing would only add noise to the log."""
    if original is None:
        return {}
    before = {field: getattr(original, field) for field in values}
    after = {f: v.strip() if isinstance(v, str) else v for f, v in values.items()}
    if before != after or (original.decider_id is not None and original.decider != decider):
        return {}
    return {NON_FIELD_ERRORS: ["the correction changes nothing; fix: change what was wrong"]}


def _situation(
    organisation: Organisation, original: Decision | Meeting | None, now: datetime
) -> _Situation:
    """The original's snapshot for a correction; otherwise the status standing now."""
    if original is not None:
        return _Situation(original.snapshot, original.snapshot_level, original.framework)
    status = organisation_status(organisation)
    return _Situation(snapshot.capture(status, now), status.standing_level, organisation.framework)


def _group_name(organisation: Organisation, group_id: str) -> str:
    groups = {g.id: g.name for g in pack_of(organisation.framework).groups}
    return groups.get(group_id, "")


def _unknown_group(organisation: Organisation, group_id: str) -> Errors:
    known = [g.id for g in pack_of(organisation.framework).groups]
    fix = f"choose one of {', '.join(known)}" if known else "the framework defines no groups"
    return {"group_id": [f"'{group_id}' is not a group of {organisation.name}; fix: {fix}"]}


def _raise(*found: Errors) -> None:
    errors: Errors = {}
    for problems in found:
        for field, messages in problems.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
