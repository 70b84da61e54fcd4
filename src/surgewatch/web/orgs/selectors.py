"""Named reads for organisations and memberships."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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


def roles_by_area(user: User, areas: Iterable[Area]) -> dict[int, set[str]]:
    """``roles_in_area`` for many areas in one query, keyed by area primary key.

    The API checks scope for every area a bulk request names; one query per
    area would cost more than storing the readings.
    """
    areas = list(areas)
    held = user.memberships.filter(
        organisation_id__in={a.organisation_id for a in areas}
    ).values_list("organisation_id", "area_id", "role")
    wide: dict[int, set[str]] = defaultdict(set)
    own: dict[int, set[str]] = defaultdict(set)
    for organisation_id, area_id, role in held:
        (wide[organisation_id] if area_id is None else own[area_id]).add(role)
    return {a.pk: wide[a.organisation_id] | own[a.pk] for a in areas}
