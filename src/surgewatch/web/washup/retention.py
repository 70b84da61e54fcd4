"""Retention of patient-level records (issue 7, 'Security').

Closed records are deleted once ``settings.PATIENT_RECORD_RETENTION_DAYS`` have passed
since they closed. Each app with patient-level records lists one purge function in
``settings.PATIENT_RECORD_PURGES`` (a dotted path); ``run_purges`` calls them all, from
``surgewatch purge`` and the worker's daily task. A purge takes the cut-off and whether
it is a dry run, deletes (or only counts) what closed before the cut-off, and returns
what it did. Deletions go through ``Model.delete`` so each is on the audit log.

A case's revisions are immutable records (``WashupCaseRevision``), which refuse deletion;
``WashupCaseRevision.purge_for_retention`` is the one path past that, used here alone,
for cases past retention, just before the case itself in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from surgewatch.web.washup.models import WashupCase, WashupCaseRevision


@dataclass(frozen=True)
class Purged:
    """What one purge found (and, unless a dry run, deleted)."""

    what: str
    count: int
    dry_run: bool


Purge = Callable[[datetime, bool], Purged]


def retention_cutoff(now: datetime) -> datetime:
    """Records that closed before this moment are past retention."""
    days = settings.PATIENT_RECORD_RETENTION_DAYS
    return now - timedelta(days=days)


def registered_purges() -> list[Purge]:
    return [import_string(path) for path in settings.PATIENT_RECORD_PURGES]


def run_purges(now: datetime, *, dry_run: bool = False) -> list[Purged]:
    cutoff = retention_cutoff(now)
    return [purge(cutoff, dry_run) for purge in registered_purges()]


def purge_closed_cases(cutoff: datetime, dry_run: bool) -> Purged:
    """Wash-up cases closed before ``cutoff``, with their revisions; open cases are never
    purged, however old."""
    due = WashupCase.objects.closed().filter(closed_at__lt=cutoff)
    if dry_run:
        return Purged("wash-up cases", due.count(), True)
    with transaction.atomic():
        cases = list(due.select_for_update())
        for case in cases:
            # One by one: each deletion is an audit entry. Revisions first: they
            # protect their case, and go only with it.
            WashupCaseRevision.purge_for_retention(case, cutoff)
            case.delete()
    return Purged("wash-up cases", len(cases), False)
