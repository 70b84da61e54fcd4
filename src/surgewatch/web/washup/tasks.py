"""Background jobs (huey). They read the clock once, at the top."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from surgewatch.web.washup.retention import run_purges

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="30", hour="2"))
def purge_patient_records() -> None:
    """Daily at 02:30: delete closed patient-level records past their retention period
    (issue 7, 'Security'); every registered purge runs (``settings.PATIENT_RECORD_PURGES``)."""
    for done in run_purges(timezone.now()):
        log.info("purged %s %s", done.count, done.what)
