"""Background jobs (huey): delivery and the catch-up sweep. They take ids and read the clock.

Issue 4: a message is sent in the worker, queued when the transaction that
made it commits; every minute the sweep sends whatever has fallen due, so
retries happen on time and a worker that was down catches up.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from surgewatch.web.notify.delivery import deliver_message, due_message_ids


@db_task()
def deliver(message_id: int) -> None:
    deliver_message(message_id, timezone.now())


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> None:
    # The clock is read per message: a long batch must not claim with a stale
    # time, or its lease would already have run out.
    for message_id in due_message_ids(timezone.now()):
        deliver_message(message_id, timezone.now())
