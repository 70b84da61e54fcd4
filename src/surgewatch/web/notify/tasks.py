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
    # Batch after batch until nothing is due, so a backlog after an outage clears in one
    # sweep rather than 100 a minute (issue 8's fault runs took 4 minutes for 400 messages).
    # A message seen once is not taken again here: a batch of only those ends the sweep.
    seen: set[int] = set()
    while batch := [m for m in due_message_ids(timezone.now()) if m not in seen]:
        seen.update(batch)
        for message_id in batch:
            deliver_message(message_id, timezone.now())
