"""Who may record self-assessments and improvement plans; checked on the server.

Issue 7: anyone holding one of the pack's roles in the organisation records
assessments and plans for it (seed 003 asks the local system's partners to assess
together); the platform ``viewer`` role and other members only read
(``require_view``); people with no role there are refused; superusers may do all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.services import VIEWER_ROLE


def can_assess(user: User, organisation: Organisation) -> bool:
    """True for a superuser or anyone holding a role other than ``viewer`` in ``organisation``."""
    if user.is_superuser:
        return True
    held = user.memberships.filter(organisation=organisation).exclude(role=VIEWER_ROLE)
    return held.exists()


def require_assess(user: User, organisation: Organisation) -> None:
    if not can_assess(user, organisation):
        raise PermissionDenied(
            f"{user} may not record assessments or improvement plans for {organisation.slug}"
        )
