"""Who may run exercises: reading the organisation shows its exercise log; running one
takes a role of the plan (not the platform's read-only ``viewer``), as recording a
decision does. A run changes no live data, but it is on the log under its author."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.permissions import can_record
from surgewatch.web.orgs.models import Organisation


def can_run(user: User, organisation: Organisation) -> bool:
    return can_record(user, organisation)


def require_run(user: User, organisation: Organisation) -> None:
    if not can_run(user, organisation):
        raise PermissionDenied(f"{user} may not run exercises for {organisation.slug}")
