"""Who may act on a card, and who holds a role.

A card belongs to a role (seed 000, section 8 table): anyone holding that role
in the organisation, deputies included, may acknowledge or complete it, so an
absence never stops an action. Roles that declare the level may too, as the
people answerable for the plan; superusers administer.
"""

from __future__ import annotations

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import can_declare


def role_holders(organisation: Organisation, role: str, *, deputies: bool) -> list[User]:
    """Active people holding ``role`` anywhere in ``organisation``, by username."""
    held = User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__role=role
    )
    if not deputies:
        held = held.filter(memberships__is_deputy=False)
    return list(held.distinct().order_by("username"))


def holds_role(user: User, organisation: Organisation, role: str) -> bool:
    return user.memberships.filter(organisation=organisation, role=role).exists()


def can_act_on(user: User, card: ActionCard) -> bool:
    if user.is_superuser:
        return True
    org = card.organisation
    return holds_role(user, org, card.role) or can_declare(user, org)
