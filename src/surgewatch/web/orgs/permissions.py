"""Who may see, report and declare: every check the views and the API make on the server.

Roles come from the organisation's pack (``reported_by`` on each indicator,
``declares_level`` on each role), plus the platform's ``viewer`` role, which
reads and changes nothing. Superusers administer and see everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.selectors import roles_by_area, roles_in_area


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations ``user`` holds any role in (all of them for a superuser)."""
    everything = Organisation.objects.select_related("framework").order_by("name")
    if user.is_superuser:
        return everything
    return everything.filter(memberships__user=user).distinct()


def can_view(user: User, organisation: Organisation) -> bool:
    return user.is_superuser or user.memberships.filter(organisation=organisation).exists()


def require_view(user: User, organisation: Organisation) -> None:
    if not can_view(user, organisation):
        raise PermissionDenied(f"{user} holds no role in {organisation.slug}")


def reportable_indicators(user: User, area: Area) -> list[str]:
    """The indicators ``user`` may report for ``area``, in the pack's order."""
    roles = roles_in_area(user, area)
    pack = pack_of(area.organisation.framework)
    return [i.id for i in pack.indicators if roles & set(i.reported_by)]


def reportable_indicators_by_area(user: User, areas: list[Area]) -> dict[int, list[str]]:
    """``reportable_indicators`` for many areas with one membership query."""
    roles = roles_by_area(user, areas)
    return {
        a.pk: [
            i.id
            for i in pack_of(a.organisation.framework).indicators
            if roles[a.pk] & set(i.reported_by)
        ]
        for a in areas
    }


def reportable_areas(user: User, organisation: Organisation) -> list[Area]:
    """Active areas where ``user`` reports at least one indicator."""
    areas = organisation.areas.filter(active=True).order_by("name")
    return [a for a in areas if reportable_indicators(user, a)]


def can_declare(user: User, organisation: Organisation) -> bool:
    """Seed 000, sections 5.2 and 8: the roles the pack marks ``declares_level`` declare."""
    pack = pack_of(organisation.framework)
    declaring = {r.id for r in pack.roles if r.declares_level}
    held = user.memberships.filter(organisation=organisation, role__in=declaring)
    return held.exists()


def patient_record_roles(organisation: Organisation) -> frozenset[str]:
    """The pack's roles marked ``sees_patient_records`` (issue 7, 'Security')."""
    return frozenset(r.id for r in pack_of(organisation.framework).roles if r.sees_patient_records)


def may_see_patient_records(user: User, area: Area) -> bool:
    """Whether ``user`` may open patient-level records of ``area``.

    Only a role the pack marks ``sees_patient_records``, held for this area or for the
    whole organisation, opens them. Superusers administer the platform but are not in the
    care team, so they see counts only, like every other role.
    """
    allowed = patient_record_roles(area.organisation)
    return bool(roles_in_area(user, area) & allowed)


def patient_record_areas(user: User, organisation: Organisation) -> list[Area]:
    """Active areas of ``organisation`` whose patient-level records ``user`` may open."""
    areas = organisation.areas.filter(active=True).order_by("name")
    return [a for a in areas if may_see_patient_records(user, a)]
