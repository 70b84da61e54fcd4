"""Background jobs (huey): uncertainty runs too large to run in a request, and flow
simulations. They take ids."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from surgewatch.web.plans.runs import execute_run
from surgewatch.web.plans.simulations import execute_simulation


@db_task()
def run_uncertainty_task(run_id: int) -> None:
    execute_run(run_id, timezone.now())


@db_task()
def run_simulation_task(run_id: int) -> None:
    """A patient-flow simulation run (issue 6); its progress is stored as it goes."""
    execute_simulation(run_id, timezone.now())
