"""Patient-flow simulation runs (issue 6): queued for the worker, with stored progress.

A run is one scenario version (optionally against a second, on common random
numbers) for a number of replications and a seed. The worker claims it,
simulates with :mod:`surgewatch.planning.flow.api`, writes the replications
finished so far as the core reports them (the page's progress bar reads that
row), and stores the result JSON once. The same version, replications and
seed give the same figures every time, so a finished run is reused.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from surgewatch.planning.flow import api, report
from surgewatch.planning.flow.inputs import period_of
from surgewatch.planning.loading import PlanError
from surgewatch.web.accounts.models import User
from surgewatch.web.plans.models import RunStatus, ScenarioVersion, SimulationRun
from surgewatch.web.plans.scenarios import load_version

MIN_REPLICATIONS = 10
MAX_REPLICATIONS = 500
DEFAULT_REPLICATIONS = 100
DEFAULT_SEED = 1
MAX_SEED = 2**63 - 1  # the column is a signed 64-bit integer; numpy takes any non-negative
# Below this many replications one process is quicker than starting a pool (a
# 182-day replication of the SSOT example takes about 0.1 s).
SINGLE_PROCESS_BELOW = 40


def check_request(replications: int, seed: int) -> None:
    """Replications and seed in range, else a ValidationError naming the field and the fix."""
    errors = {}
    if not MIN_REPLICATIONS <= replications <= MAX_REPLICATIONS:
        errors["replications"] = (
            f"{replications} is out of range; fix: use a whole number from "
            f"{MIN_REPLICATIONS} to {MAX_REPLICATIONS}"
        )
    if not 0 <= seed <= MAX_SEED:
        errors["seed"] = f"{seed} is out of range; fix: use a whole number from 0 to {MAX_SEED}"
    if errors:
        raise ValidationError(errors)


def check_comparable(a: ScenarioVersion, b: ScenarioVersion) -> None:
    """Both scenarios must cover the same days, or their differences mean nothing."""
    period_a, period_b = period_of(load_version(a)), period_of(load_version(b))
    if period_a != period_b:
        raise ValidationError(
            {
                "compared_with": f"'{b}' runs {period_b[1]} days from {period_b[0]} but '{a}' "
                f"runs {period_a[1]} days from {period_a[0]}; fix: compare scenarios over the "
                "same period"
            }
        )


def request_simulation(
    user: User,
    version: ScenarioVersion,
    compared_with: ScenarioVersion | None,
    replications: int,
    seed: int,
    now: datetime,
) -> SimulationRun:
    """The run for these inputs: reused if stored, else queued for the worker after commit.

    Callers check the user may run (plan editors: a run costs the shared worker minutes).
    """
    check_request(replications, seed)
    if compared_with is not None:
        check_comparable(version, compared_with)
    total = replications * (2 if compared_with is not None else 1)
    with transaction.atomic():
        run, created = SimulationRun.objects.get_or_create(
            scenario=version,
            compared_with=compared_with,
            replications=replications,
            seed=seed,
            defaults={
                "status": RunStatus.QUEUED,
                "total": total,
                "requested_by": user,
                "requested_at": now,
            },
        )
        if created:
            transaction.on_commit(partial(_enqueue, run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from surgewatch.web.plans.tasks import run_simulation_task

    run_simulation_task(run_id)


def execute_simulation(run_id: int, now: datetime) -> None:
    """Run a queued run once: the UPDATE claims it only while it is still queued."""
    claimed = SimulationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED)
    if not claimed.update(status=RunStatus.RUNNING):
        return  # another worker has it, or it has finished
    run = SimulationRun.objects.select_related(
        "scenario__plan_version", "compared_with__plan_version"
    ).get(pk=run_id)
    started = time.perf_counter()
    try:
        result = _simulate(run)
    except PlanError as exc:
        run.status, run.error = RunStatus.FAILED, str(exc)
    except Exception as exc:
        # Not left 'running' for ever: the page says it stopped; the worker logs the trace.
        run.status, run.error = RunStatus.FAILED, f"the simulation stopped ({type(exc).__name__})"
        _finish(run, started, now)
        raise
    else:
        run.status, run.result, run.done = RunStatus.DONE, result, run.total
    _finish(run, started, now)


def _finish(run: SimulationRun, started: float, now: datetime) -> None:
    run.seconds = time.perf_counter() - started
    run.finished_at = now + timedelta(seconds=run.seconds)
    run.save(update_fields=["status", "error", "result", "done", "seconds", "finished_at"])


def _simulate(run: SimulationRun) -> dict[str, Any]:
    progress = partial(_record_progress, run.pk)
    workers = 1 if run.replications < SINGLE_PROCESS_BELOW else None
    a = load_version(run.scenario)
    if run.compared_with is None:
        return report.flow_json(api.run_loaded(a, run.replications, run.seed, workers, progress))
    b = load_version(run.compared_with)
    both = api.compare_loaded(a, b, run.replications, run.seed, workers, progress)
    return report.comparison_json(both)


def _record_progress(run_id: int, done: int, total: int) -> None:
    """Called by the core as chunks of replications finish; the progress bar reads it."""
    SimulationRun.objects.filter(pk=run_id).update(done=done, total=total)
