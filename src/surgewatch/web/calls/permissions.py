"""Who may hold a call, own an action and answer for it; checked on the server.

Seed 000, section 5.1 names the roles who attend each call, but whoever
stands in for them records it just as well, so anyone holding a role of the
plan in the organisation may hold and record a call. The platform ``viewer``
role reads and changes nothing. An action is answered by its owner, the
call's chair, a role that declares the level (answerable for the plan), or a
superuser.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from surgewatch.web.accounts.models import User
from surgewatch.web.calls.models import CallAction
from surgewatch.web.orgs.models import Membership, Organisation
from surgewatch.web.orgs.permissions import can_declare
from surgewatch.web.orgs.services import VIEWER_ROLE


def can_hold_call(user: User, organisation: Organisation) -> bool:
    """True for a superuser or anyone holding a role other than ``viewer`` in ``organisation``."""
    return user.is_superuser or acting_roles(user, organisation).exists()


def require_hold_call(user: User, organisation: Organisation) -> None:
    if not can_hold_call(user, organisation):
        raise PermissionDenied(f"{user} may not record calls for {organisation.slug}")


def can_answer(user: User, action: CallAction) -> bool:
    if user.is_superuser or user.pk in (action.owner_id, action.call.chair_id):
        return True
    return can_declare(user, action.call.organisation)


def require_answer(user: User, action: CallAction) -> None:
    if not can_answer(user, action):
        raise PermissionDenied(f"{user} may not answer for call action {action.pk}")


def acting_roles(user: User, organisation: Organisation) -> QuerySet[Membership]:
    """The person's memberships that may act (every role but ``viewer``)."""
    held = Membership.objects.filter(user=user, organisation=organisation)
    return held.exclude(role=VIEWER_ROLE)


def action_holders(organisation: Organisation) -> QuerySet[User]:
    """Active people who may chair a call or own its actions: a non-viewer role here."""
    held = Membership.objects.filter(organisation=organisation).exclude(role=VIEWER_ROLE)
    active = User.objects.filter(is_active=True, pk__in=held.values("user_id"))
    return active.order_by("last_name", "first_name", "username")
