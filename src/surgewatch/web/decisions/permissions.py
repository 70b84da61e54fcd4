"""Who may record decisions and meetings, checked on the server by views and services.

Seed 000, Appendix 4: 'all decisions should be recorded', by whoever makes
them, so every role of the plan may record. The platform ``viewer`` role reads
and changes nothing; anyone else who may see the organisation reads.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.services import VIEWER_ROLE


def can_record(user: User, organisation: Organisation) -> bool:
    """True for a superuser or anyone holding a role other than ``viewer`` in ``organisation``."""
    if user.is_superuser:
        return True
    held = user.memberships.filter(organisation=organisation).exclude(role=VIEWER_ROLE)
    return held.exists()


def require_record(user: User, organisation: Organisation) -> None:
    if not can_record(user, organisation):
        raise PermissionDenied(f"{user} may not record decisions for {organisation.slug}")
