"""Replications, summaries with confidence intervals, and paired comparisons (issue 6).

One master seed spawns one ``SeedSequence`` per replication, so replication
r is the same random stream whatever the number of worker processes, and
two scenarios run from the same seed see the same patients (common random
numbers). A comparison then works on the per-replication differences, whose
spread is far smaller than either scenario's own when the scenarios share
most of their randomness; identical scenarios differ by exactly zero.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.flow.inputs import FlowInputs
from surgewatch.planning.flow.model import Replication, run_replication
from surgewatch.planning.loading import PlanError, Problem

FloatArray = NDArray[np.float64]
PERCENTILES = (10, 50, 90)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FlowResult:
    """Every replication's daily series.

    ``ward[name]`` has shape (replications, days); ``services[name]`` (replications,
    service, days).
    """

    title: str
    start: dt.date
    seed: int
    service_names: tuple[str, ...]
    ward: dict[str, FloatArray]
    services: dict[str, FloatArray]
    patients: int

    @property
    def replications(self) -> int:
        return int(self.ward["occupancy"].shape[0])

    @property
    def days(self) -> int:
        return int(self.ward["occupancy"].shape[1])

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=d) for d in range(self.days)]


@dataclass(frozen=True)
class Estimate:
    """A mean across replications with its 95% confidence interval."""

    mean: float
    low: float
    high: float


def _chunk(job: tuple[FlowInputs, list[np.random.SeedSequence]]) -> list[Replication]:
    inputs, seeds = job
    return [run_replication(inputs, s) for s in seeds]


def default_workers() -> int:
    """Both cores of the development machine; one process per core."""
    return max(1, os.cpu_count() or 1)


def simulate(
    inputs: FlowInputs,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> FlowResult:
    """Run ``replications`` independent replications from master ``seed``.

    Work is split into chunks over ``workers`` processes (default: every
    core); ``progress(done, total)`` is called as chunks finish (for a web
    task's progress bar). Results do not depend on ``workers``.
    """
    if replications < 1:
        raise PlanError([Problem("", "replications", "must be at least 1; fix: give 1 or more")])
    seeds = np.random.SeedSequence(seed).spawn(replications)
    workers = min(workers or default_workers(), replications)
    size = max(1, math.ceil(replications / (workers * 4)))
    jobs = [(inputs, seeds[i : i + size]) for i in range(0, replications, size)]
    runs: list[Replication] = []
    if workers == 1:
        for job in jobs:
            runs += _chunk(job)
            _report(progress, len(runs), replications)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for chunk in pool.map(_chunk, jobs):
                runs += chunk
                _report(progress, len(runs), replications)
    return _stack(inputs, seed, runs)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _stack(inputs: FlowInputs, seed: int, runs: list[Replication]) -> FlowResult:
    ward = {k: np.stack([r.ward[k] for r in runs]) for k in runs[0].ward}
    services = {k: np.stack([r.services[k] for r in runs]) for k in runs[0].services}
    for array in (*ward.values(), *services.values()):
        array.flags.writeable = False
    return FlowResult(
        inputs.title,
        inputs.start,
        seed,
        inputs.service_names,
        ward,
        services,
        sum(r.patients for r in runs),
    )


def t_quantile(df: int, p: float = 0.975) -> float:
    """Student t quantile (Cornish-Fisher expansion; within 0.2% for df >= 3, exact-enough)."""
    small = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776}
    if p == 0.975 and df in small:
        return small[df]
    z = _normal_quantile(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


def _normal_quantile(p: float) -> float:
    """Inverse normal CDF by bisection on erfc (only a handful of calls per report)."""
    low, high = -10.0, 10.0
    for _ in range(80):
        mid = (low + high) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def estimate(values: Sequence[float] | FloatArray) -> Estimate:
    """Mean and 95% t-interval over replications (a single replication has no interval)."""
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    if x.size < 2:
        return Estimate(mean, math.nan, math.nan)
    half = t_quantile(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return Estimate(mean, mean - half, mean + half)


def summary_metrics(result: FlowResult) -> dict[str, FloatArray]:
    """One figure per replication for each headline measure over the period."""
    w = result.ward
    admitted = np.maximum(w["dta_admissions"].sum(axis=1), 1)
    metrics = {
        "mean_occupancy": w["occupancy"].mean(axis=1),
        "peak_occupancy": w["occupancy"].max(axis=1),
        "mean_dta_waiting": w["dta_waiting"].mean(axis=1),
        "peak_dta_waiting": w["dta_waiting"].max(axis=1),
        "mean_dta_wait_hours": 24 * w["dta_wait_days"].sum(axis=1) / admitted,
        "mean_nctr_patients": w["nctr_patients"].mean(axis=1),
        "bed_days_lost": w["bed_days_lost"].sum(axis=1),
        "share_finding_ward_full": w["found_full"].sum(axis=1)
        / np.maximum(w["ward_arrivals"].sum(axis=1), 1),
        "diverted": w["diverted"].sum(axis=1),
        "avoided": w["avoided"].sum(axis=1),
        "virtual_ward_admissions": w["virtual_ward_admissions"].sum(axis=1),
    }
    for s, name in enumerate(result.service_names):
        metrics[f"{name}.mean_queue"] = result.services["queue"][:, s].mean(axis=1)
        metrics[f"{name}.mean_in_service"] = result.services["in_service"][:, s].mean(axis=1)
    return metrics


def summarise(result: FlowResult) -> dict[str, Estimate]:
    """Each headline measure's mean over replications with a 95% confidence interval."""
    return {k: estimate(v) for k, v in summary_metrics(result).items()}


def daily_percentiles(series: FloatArray) -> FloatArray:
    """P10, P50, P90 across replications for each day: shape (3, days)."""
    return np.asarray(np.percentile(series, PERCENTILES, axis=0))


@dataclass(frozen=True)
class Comparison:
    """Scenario B against scenario A on the same random streams."""

    a: FlowResult
    b: FlowResult
    differences: dict[str, Estimate]  # B - A, paired by replication


def compare(
    a: FlowInputs,
    b: FlowInputs,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run both scenarios on the same streams and estimate B - A with paired intervals.

    ``progress(done, total)`` counts both runs: A's replications, then B's.
    """
    if (a.start, a.days) != (b.start, b.days):
        raise PlanError(
            [
                Problem(
                    "",
                    "period",
                    f"'{a.title}' runs {a.start} for {a.days} days but '{b.title}' runs "
                    f"{b.start} for {b.days} days; fix: compare scenarios over the same period",
                )
            ]
        )
    total = 2 * replications
    ra = simulate(a, replications, seed, workers, _offset(progress, 0, total))
    rb = simulate(b, replications, seed, workers, _offset(progress, replications, total))
    ma, mb = summary_metrics(ra), summary_metrics(rb)
    shared = [k for k in ma if k in mb]
    return Comparison(ra, rb, {k: estimate(mb[k] - ma[k]) for k in shared})


def _offset(progress: Progress | None, before: int, total: int) -> Progress | None:
    """One run's progress as part of a longer job (``before`` replications already done)."""
    if progress is None:
        return None
    report = progress  # bound here so the closure's type is not Optional
    return lambda done, _: report(before + done, total)
