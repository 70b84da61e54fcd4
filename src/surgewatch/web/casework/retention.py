"""Retention of casework records (issue 7, 'Security'): placements, Care Act assessments
and reviews closed before the cut-off are deleted, one by one so each deletion is on the
audit log. Open records are never purged, however old. Listed in
``settings.PATIENT_RECORD_PURGES``; ``surgewatch purge`` and the worker call it.

A record's corrections are immutable (``Correction``) and go with it:
``Correction.purge_for_retention`` deletes them, just before the record, in the same
transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from surgewatch.web.casework.models import CareActAssessment, Correction, Placement, Review
from surgewatch.web.washup.retention import Purged

MODELS = (Placement, CareActAssessment, Review)


def purge_closed_records(cutoff: datetime, dry_run: bool) -> Purged:
    """Casework records that closed before ``cutoff``."""
    due = [model.objects.filter(closed_at__isnull=False, closed_at__lt=cutoff) for model in MODELS]
    if dry_run:
        return Purged("casework records", sum(q.count() for q in due), True)
    deleted = 0
    with transaction.atomic():
        for query in due:
            for record in query.select_for_update():
                Correction.purge_for_retention(record, cutoff)
                record.delete()  # one by one: each deletion is an audit entry
                deleted += 1
    return Purged("casework records", deleted, False)
