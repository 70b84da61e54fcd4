"""Who may change an organisation's governance records; checked on the server.

Anyone who may see the organisation reads its governance pages. Proposing and
approving a pack revision, approving a plan version and recording a plan test
take a role the pack marks ``declares_level`` (the people answerable for the
plan; seed 000, section 8) or a superuser, as for editing capacity plans. The
approver must also be someone other than the proposer (``services``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import can_declare


def can_govern(user: User, organisation: Organisation) -> bool:
    """Superusers, and holders of a role the pack marks ``declares_level``."""
    return user.is_superuser or can_declare(user, organisation)


def require_govern(user: User, organisation: Organisation) -> None:
    if not can_govern(user, organisation):
        raise PermissionDenied(
            f"{user} holds no role that declares the level of {organisation.slug}, "
            "so may not propose, approve or record its plan changes"
        )
