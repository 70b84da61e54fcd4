"""Named reads for organisations and memberships."""

from __future__ import annotations

from django.db.models import Q

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation


def organisation_by_slug(slug: str) -> Organisation:
    return Organisation.objects.select_related("framework").get(slug=slug)


def roles_in_area(user: User, area: Area) -> set[str]:
    """The pack roles ``user`` holds for ``area``: its own and organisation-wide ones."""
    memberships = user.memberships.filter(organisation_id=area.organisation_id).filter(
        Q(area__isnull=True) | Q(area=area)
    )
    return set(memberships.values_list("role", flat=True))
