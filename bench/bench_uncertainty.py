"""Benchmark: the uncertainty model, vectorised, against a per-patient Python loop.

10,000 replications x 365 days x 10 sites through ``run_uncertainty`` (census
simulation and monthly summaries), then a straightforward per-patient loop on
the same inputs for a slice of replications, scaled up. Target: at least 50x
faster and under 10 seconds on a 2-core machine.

Run with ``uv run python bench/bench_uncertainty.py``.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np

from surgewatch.planning.plan import Plan
from surgewatch.planning.uncertainty import division_inputs, run_uncertainty

REPLICATIONS = 10_000
SITES = 10
LOOP_REPLICATIONS = 4  # per site, for the per-patient loop; scaled up to REPLICATIONS
MONTHS = [f"2024-{m:02d}" for m in range(4, 13)] + [f"2025-{m:02d}" for m in range(1, 4)]


def bench_plan() -> Plan:
    """Ten sites of different sizes on seed 002's assumptions (arrivals are illustrative)."""
    sites: list[dict[str, Any]] = []
    for i in range(SITES):
        arrivals, stay = 40.0 + 12.0 * i, 1.88 + 0.5 * i
        demand = {"arrivals_per_day": arrivals, "mean_los_days": stay}
        division = {
            "name": "Medicine",
            "open_beds": round(arrivals * stay * 1.1) + 160,
            "demand": demand,
        }
        sites.append({"name": f"Site {i + 1}", "divisions": [division]})
    winter = ["2024-12", "2025-01", "2025-02"]
    return Plan.model_validate(
        {
            "title": "Benchmark: 10 sites",
            "months": MONTHS,
            "unit_ratios": {"acute": 1.0},
            "assumptions": {
                "target_occupancy": 0.92,
                "annual_growth": 0.018,
                "growth_base_month": "2024-04",
                "severe_winter_uplift": {"value": 0.065, "months": winter},
                "mffd_patients": 128,
                "dta_patients": 33.5,
                "ipc_pressure_beds": {"value": 20, "months": winter},
            },
            "sites": sites,
        }
    )


def loop_census(rates: np.ndarray, mean: float, rng: np.random.Generator) -> list[int]:
    """One replication, patient by patient: Poisson arrivals, exponential stays, midnights."""
    warmup = int(20 * mean) + 1
    days = warmup + rates.size
    census = [0] * days
    for day in range(days):
        rate = float(rates[max(day - warmup, 0)])
        for _ in range(int(rng.poisson(rate))):
            nights = math.floor(rng.random() + rng.exponential(mean))
            for c in range(day, min(day + nights, days)):
                census[c] += 1
    return census[warmup:]


def time_loop(plan: Plan) -> tuple[float, float]:
    """Seconds for the loop over LOOP_REPLICATIONS per site, and its mean census."""
    rng = np.random.default_rng(2024)
    total, start = 0.0, time.perf_counter()
    for site, division in plan.divisions():
        inputs = division_inputs(plan, site, division)
        for _ in range(LOOP_REPLICATIONS):
            total += float(np.mean(loop_census(inputs.rates, inputs.stay.mean, rng)))
    return time.perf_counter() - start, total / LOOP_REPLICATIONS


def main() -> None:
    plan = bench_plan()
    workers = min(2, os.cpu_count() or 1)
    start = time.perf_counter()
    result = run_uncertainty(plan, REPLICATIONS, seed=20241001, workers=workers)
    vectorised = time.perf_counter() - start
    vector_mean = float(result.census.mean(axis=(1, 2)).sum())
    loop_seconds, loop_mean = time_loop(plan)
    scaled = loop_seconds * REPLICATIONS / LOOP_REPLICATIONS
    days = result.census.shape[2]
    print(f"uncertainty model: {REPLICATIONS:,} replications x {days} days x {SITES} sites")
    print(f"vectorised (numpy, {workers} worker(s)): {vectorised:.2f} s")
    print(
        f"per-patient Python loop: {loop_seconds:.2f} s for {LOOP_REPLICATIONS} replications "
        f"per site, scaled to {REPLICATIONS:,}: {scaled:.0f} s"
    )
    print(f"speed-up: {scaled / vectorised:.0f}x (target >= 50x; vectorised target < 10 s)")
    print(
        f"check: mean census summed over sites, vectorised {vector_mean:.1f}, loop {loop_mean:.1f}"
    )


if __name__ == "__main__":
    main()
