"""Writes for escalation: declaring an organisation's level."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from surgewatch.core.pack import LEVELS
from surgewatch.web.accounts.models import User
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.escalation.selectors import organisation_status
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import can_declare


def declare_level(
    user: User,
    organisation: Organisation,
    level: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> Declaration:
    """Record a declared level with the suggestion it was made against.

    Seed 000, section 8: the Short-Term Pathway Service Manager declares the
    level 'according to available trend data', so a declaration may differ
    from the suggestion, but then the reason is required.
    """
    if not can_declare(user, organisation):
        raise PermissionDenied(f"{user} may not declare the level of {organisation.slug}")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        status = organisation_status(locked)
        suggested = status.result.suggested_level
        _check(level, suggested, reason)
        return Declaration.objects.create(
            organisation=locked,
            level=level,
            suggested_level=suggested,
            score=status.result.score,
            reason=reason.strip(),
            declared_by=user,
            declared_at=now or timezone.now(),
            framework=locked.framework,
        )


def _check(level: int, suggested: int | None, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    if level not in LEVELS:
        errors["level"] = [f"OPEL {level} is not a level; fix: choose OPEL 1, 2, 3 or 4"]
    elif suggested is not None and level != suggested and not reason.strip():
        errors["reason"] = [
            f"OPEL {level} differs from the suggested OPEL {suggested}; fix: say why"
        ]
    if errors:
        raise ValidationError(errors)
