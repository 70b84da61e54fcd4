"""Who may act on a card, and who holds a role.

A card belongs to a role (seed 000, section 8 table): anyone holding that role
in the organisation (for an area's card: organisation-wide or in that area),
deputies included, may acknowledge or complete it, so an absence never stops
an action. The person a card is assigned to may always act on it. Roles that
declare the level may too, as the people answerable for the plan; superusers
administer.
"""

from __future__ import annotations

from django.db.models import Q

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard
from surgewatch.web.orgs.models import Area, Membership, Organisation
from surgewatch.web.orgs.permissions import can_declare


def role_holders(
    organisation: Organisation, role: str, *, deputies: bool, area: Area | None = None
) -> list[User]:
    """Active people holding ``role`` in ``organisation`` (for ``area``: organisation-wide
    or in that area; otherwise anywhere), by username."""
    held = Membership.objects.filter(organisation=organisation, role=role, user__is_active=True)
    if area is not None:
        held = held.filter(Q(area__isnull=True) | Q(area=area))
    if not deputies:
        held = held.filter(is_deputy=False)
    users = User.objects.filter(pk__in=held.values("user_id"))
    return list(users.order_by("username"))


def area_holders(
    organisation: Organisation, role: str, area: Area, *, deputies: bool
) -> list[User]:
    """Active people holding ``role`` in ``area`` itself (not organisation-wide), by username."""
    held = Membership.objects.filter(
        organisation=organisation, role=role, area=area, user__is_active=True
    )
    if not deputies:
        held = held.filter(is_deputy=False)
    return list(User.objects.filter(pk__in=held.values("user_id")).order_by("username"))


def holds_role(user: User, organisation: Organisation, role: str, area: Area | None = None) -> bool:
    """Holds ``role`` in ``organisation``; for ``area``, organisation-wide or in that area."""
    held = user.memberships.filter(organisation=organisation, role=role)
    if area is not None:
        held = held.filter(Q(area__isnull=True) | Q(area=area))
    return held.exists()


def can_act_on(user: User, card: ActionCard) -> bool:
    """The card's assignee, anyone holding its role where it applies, a declarer, a superuser."""
    if user.is_superuser or (card.assignee_id is not None and card.assignee_id == user.pk):
        return True
    org = card.organisation
    return holds_role(user, org, card.role, card.area) or can_declare(user, org)
