"""Uncertainty runs for a plan version: inline when small, in the worker when not.

Issue 5: Poisson arrivals and a length-of-stay distribution, replicated, with
P10/P50/P90 occupancy, the probability occupancy exceeds open beds and the
expected days over capacity (:func:`surgewatch.planning.uncertainty.run_uncertainty`).
The master seed is fixed, so a version run with the same replications gives
the same figures every time; a finished run is stored and reused.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from surgewatch.planning import report
from surgewatch.planning.loading import PlanError
from surgewatch.planning.months import days_in
from surgewatch.planning.plan import Plan
from surgewatch.planning.uncertainty import division_inputs, run_uncertainty
from surgewatch.web.accounts.models import User
from surgewatch.web.plans.models import PlanVersion, RunStatus, UncertaintyRun
from surgewatch.web.plans.selectors import documents_of

SEED = 20241001  # fixed master seed (the first month of seed 002's plan), shown on the page
MIN_REPLICATIONS = 100
MAX_REPLICATIONS = 5_000
DEFAULT_REPLICATIONS = 1_000
# Replication-days simulated inline in the request; more go to the worker. The
# numpy model does about 7 million a second on the 2-core machine (5,000
# replications x 182 days x 1 division in 0.13 s), so this stays under 2 s.
INLINE_LIMIT = 10_000_000


def simulated_days(plan: Plan) -> int:
    """Division-days the model simulates per replication."""
    return sum(days_in(m) for m in plan.months) * len(plan.divisions())


def runs_inline(plan: Plan, replications: int) -> bool:
    return replications * simulated_days(plan) <= INLINE_LIMIT


def uncertainty_blocker(plan: Plan) -> str | None:
    """Why the plan cannot be simulated (a division without a demand model), else None."""
    try:
        for site, division in plan.divisions():
            division_inputs(plan, site, division)
    except PlanError as exc:
        return "; ".join(f"{p.path}: {p.message}" for p in exc.problems)
    return None


def check_replications(replications: int) -> None:
    if not MIN_REPLICATIONS <= replications <= MAX_REPLICATIONS:
        raise ValidationError(
            {
                "replications": f"{replications} is out of range; fix: use a whole number from "
                f"{MIN_REPLICATIONS:,} to {MAX_REPLICATIONS:,}"
            }
        )


def request_run(
    user: User, version: PlanVersion, plan: Plan, replications: int, now: datetime
) -> UncertaintyRun:
    """The run for (version, replications, fixed seed): reused if stored, else started.

    Anyone who reads the plan may ask: a run derives figures and changes no plan.
    """
    check_replications(replications)
    run, created = UncertaintyRun.objects.get_or_create(
        version=version,
        replications=replications,
        seed=SEED,
        defaults={"status": RunStatus.QUEUED, "requested_by": user, "requested_at": now},
    )
    if created and runs_inline(plan, replications):
        execute_run(run.pk, now)
        run.refresh_from_db()
    elif created:
        transaction.on_commit(partial(_enqueue, run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from surgewatch.web.plans.tasks import run_uncertainty_task

    run_uncertainty_task(run_id)


def execute_run(run_id: int, now: datetime) -> None:
    """Run a queued run once: the UPDATE claims it only while it is still queued."""
    claimed = UncertaintyRun.objects.filter(pk=run_id, status=RunStatus.QUEUED)
    if not claimed.update(status=RunStatus.RUNNING):
        return  # another worker has it, or it has finished
    run = UncertaintyRun.objects.select_related("version").get(pk=run_id)
    started = time.perf_counter()
    try:
        capacity = documents_of(run.version).capacity
        if capacity is None:
            raise PlanError([])
        result = run_uncertainty(capacity, run.replications, run.seed)
    except PlanError as exc:
        run.status, run.error = RunStatus.FAILED, str(exc) or "the plan has no capacity part"
    else:
        run.status, run.result = RunStatus.DONE, report.uncertainty_json(result)
    run.seconds = time.perf_counter() - started
    run.finished_at = now + timedelta(seconds=run.seconds)
    run.save(update_fields=["status", "error", "result", "seconds", "finished_at"])
