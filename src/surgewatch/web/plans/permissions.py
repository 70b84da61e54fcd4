"""Who may read and who may change an organisation's plans; checked on the server.

Anyone who may see the organisation reads its plans (``require_view``). A plan
is the organisation's commitment to its board, so changing it takes the roles
the pack marks ``declares_level`` (``can_declare``: the people answerable for
the plan, the same rule the actions and calls apps use for answering on the
plan's behalf), or a superuser as the platform's administrator. Packs have no
separate 'edits plans' flag yet; when one is added, it belongs here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import can_declare


def can_edit_plans(user: User, organisation: Organisation) -> bool:
    """Superusers, and holders of a role the pack marks ``declares_level`` (seed 000, s8)."""
    return user.is_superuser or can_declare(user, organisation)


def require_edit_plans(user: User, organisation: Organisation) -> None:
    if not can_edit_plans(user, organisation):
        raise PermissionDenied(f"{user} may not change the plans of {organisation.slug}")
