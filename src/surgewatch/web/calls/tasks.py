"""Background jobs (huey) for calls. They read the clock once, at the top."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from surgewatch.web.calls.services import ask_due_owners

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def ask_call_action_owners() -> None:
    """Every minute: ask the owner of each call action now due whether it is done
    (seed 000, section 5.1). The claim in ``ask_due_owners`` makes it once only."""
    log.info("call actions asked: %s", ask_due_owners(timezone.now()))
