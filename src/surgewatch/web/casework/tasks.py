"""Background jobs (huey): the provider notices and the casework indicators. They read
the clock once, at the top, and act as 'system:<task name>' on the audit log."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from surgewatch.web.casework.feed import refresh_indicators
from surgewatch.web.casework.notices import send_due_notices

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def casework_timers() -> None:
    """Every 5 minutes: week-8 provider notices that have fallen due (each sent once), and
    casework counts that changed or have not been reported today (UK time)."""
    now = timezone.now()
    notices = send_due_notices(now)
    readings = refresh_indicators(now)
    log.info("casework: %s provider notices queued, %s readings stored", notices, readings)
