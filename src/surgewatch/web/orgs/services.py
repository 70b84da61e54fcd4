"""Writes for organisations: installing packs and granting roles."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from surgewatch.core.loader import parse_pack, resolve_pack_path
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Framework, Membership, Organisation
from surgewatch.web.orgs.packs import pack_of

# A platform role, not a plan role: reads everything in the organisation, changes nothing.
VIEWER_ROLE = "viewer"


class PackVersionError(ValueError):
    """The same pack version is installed with different content."""


def install_pack(source: str | Path, *, now: datetime | None = None) -> Framework:
    """Install a pack (bundled id or path) and make it the organisation's framework.

    Idempotent: installing the same pack again changes nothing; a new version
    adds a Framework row and updates organisation and area names in place. A
    changed file under an unchanged version is refused, because stored levels
    name the version that produced them.
    """
    path = resolve_pack_path(source)
    text = path.read_text(encoding="utf-8")
    pack = parse_pack(text, str(path))
    with transaction.atomic():
        framework = _framework(pack, text, now or timezone.now())
        organisation = _organisation(pack, framework)
        _sync_areas(organisation, pack)
    return framework


def _framework(pack: Pack, text: str, now: datetime) -> Framework:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    framework, created = Framework.objects.get_or_create(
        pack_id=pack.id,
        version=pack.version,
        defaults={"name": pack.name, "yaml_text": text, "sha256": digest, "loaded_at": now},
    )
    if not created and framework.sha256 != digest:
        raise PackVersionError(
            f"pack '{pack.id}' version {pack.version} is already installed with different "
            "content; fix: raise the pack's version before installing the change"
        )
    return framework


def put_in_force(framework: Framework) -> Organisation:
    """Make an installed framework the one its organisation runs (governance approval,
    issue 7), bringing the organisation's name and areas in line with its pack."""
    pack = pack_of(framework)
    organisation = _organisation(pack, framework)
    _sync_areas(organisation, pack)
    return organisation


def _organisation(pack: Pack, framework: Framework) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        slug=pack.organisation.id,
        defaults={"name": pack.organisation.name, "framework": framework},
    )
    return organisation


def _sync_areas(organisation: Organisation, pack: Pack) -> None:
    for area in pack.organisation.areas:
        Area.objects.update_or_create(
            organisation=organisation,
            slug=area.id,
            defaults={"name": area.name, "active": True},
        )
    organisation.areas.exclude(slug__in=pack.area_ids).update(active=False)


def add_membership(
    user: User,
    organisation: Organisation,
    role: str,
    *,
    area: Area | None = None,
    is_deputy: bool = False,
) -> Membership:
    """Give ``user`` a role of the organisation's pack (or ``viewer``), optionally in one area."""
    check_membership(organisation, role, area)
    membership, _ = Membership.objects.update_or_create(
        user=user,
        organisation=organisation,
        area=area,
        role=role,
        defaults={"is_deputy": is_deputy},
    )
    return membership


def check_membership(organisation: Organisation, role: str, area: Area | None) -> None:
    """Refuse a role the organisation's pack does not define, or another organisation's area."""
    roles = [*pack_of(organisation.framework).role_ids, VIEWER_ROLE]
    if role not in roles:
        raise ValidationError({"role": f"unknown role '{role}'; use one of {', '.join(roles)}"})
    if area is not None and area.organisation_id != organisation.pk:
        raise ValidationError({"area": f"'{area.slug}' is not an area of {organisation.slug}"})
