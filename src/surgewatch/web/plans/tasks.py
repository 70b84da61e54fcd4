"""Background jobs (huey): uncertainty runs too large to run in a request. They take ids."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from surgewatch.web.plans.runs import execute_run


@db_task()
def run_uncertainty_task(run_id: int) -> None:
    execute_run(run_id, timezone.now())
