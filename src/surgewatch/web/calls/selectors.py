"""Named reads for calls: the log, the previous call of a kind, what is still owed."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import LevelChange
from surgewatch.web.calls.models import Call, CallAction, CallActionAnswer
from surgewatch.web.calls.permissions import action_holders
from surgewatch.web.orgs.models import Membership, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.services import VIEWER_ROLE


def call_log(organisation: Organisation) -> QuerySet[Call]:
    """Every call held, newest first, with how many actions each agreed."""
    return Call.objects.filter(organisation=organisation).for_log().prefetch_related("actions")


def previous_call(organisation: Organisation, call_id: str, before: datetime) -> Call | None:
    """The latest call of this kind held before ``before``: the agenda reports since then."""
    calls = Call.objects.filter(organisation=organisation, call_id=call_id, held_at__lt=before)
    return calls.order_by("-held_at", "-pk").first()


def changes_between(
    organisation: Organisation, since: datetime, until: datetime
) -> list[LevelChange]:
    """Level changes of the organisation and of its areas, ``since < at <= until``, oldest first."""
    changes = LevelChange.objects.filter(organisation=organisation, at__gt=since, at__lte=until)
    return list(changes.select_related("area").order_by("at", "pk"))


def overdue_call_actions(organisation: Organisation, now: datetime) -> QuerySet[CallAction]:
    """Actions of earlier calls past their due time and not answered 'done'."""
    due = CallAction.objects.filter(call__organisation=organisation, due_at__lte=now)
    return due.outstanding().select_related("call", "owner").order_by("due_at", "pk")


def call_actions(call: Call) -> QuerySet[CallAction]:
    return CallAction.objects.filter(call=call).for_record()


def organisation_actions(organisation: Organisation) -> QuerySet[CallAction]:
    """Every action of every call, by call (oldest first), for the export."""
    actions = CallAction.objects.filter(call__organisation=organisation).for_record()
    return actions.select_related("call").order_by("call__held_at", "call_id", "position")


def organisation_answers(organisation: Organisation) -> QuerySet[CallActionAnswer]:
    answers = CallActionAnswer.objects.filter(action__call__organisation=organisation)
    return answers.select_related("action", "by").order_by("action__call__held_at", "at", "pk")


def person_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """Who may chair or own an action, as select options: 'Jo Bloggs (Role, Role)'."""
    names = {r.id: r.name for r in pack_of(organisation.framework).roles}
    held = Membership.objects.filter(organisation=organisation).exclude(role=VIEWER_ROLE)
    roles: dict[int, set[str]] = {}
    for user_id, role in held.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(names.get(role, role))
    people = action_holders(organisation)
    return [(str(u.pk), f"{person_name(u)} ({', '.join(sorted(roles[u.pk]))})") for u in people]


def person_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def owner_role(user: User, organisation: Organisation) -> str:
    """The role an owner is told through: the first of theirs in the pack's order."""
    held = Membership.objects.filter(user=user, organisation=organisation).exclude(role=VIEWER_ROLE)
    roles = set(held.values_list("role", flat=True))
    ordered = [r.id for r in pack_of(organisation.framework).roles if r.id in roles]
    # Owners always hold a role (record_call checks); viewer only if it was taken away since.
    return (ordered or sorted(roles) or [VIEWER_ROLE])[0]
