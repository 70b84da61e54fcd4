"""Background jobs (huey). They take ids and read the clock once, at the top."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from surgewatch.web.actions.clocks import run_clocks
from surgewatch.web.actions.flows import level_may_have_moved
from surgewatch.web.orgs.models import Organisation

log = logging.getLogger(__name__)


@db_task()
def refresh_organisation(organisation_id: int, cause: str) -> None:
    """After readings or a declaration are stored: record any level change."""
    organisation = Organisation.objects.select_related("framework").get(pk=organisation_id)
    level_may_have_moved(organisation, timezone.now(), cause)


@db_periodic_task(crontab(minute="*"))
def tick() -> None:
    """Every minute: holds that have passed stand actions down without a new
    reading, and deadlines remind and escalate."""
    now = timezone.now()
    for organisation in Organisation.objects.select_related("framework"):
        level_may_have_moved(organisation, now)
    log.info("clocks: %s", run_clocks(now))
