"""How sure the gap is: Monte Carlo census by division, summarised by month (issue 5).

Each division with a demand model is simulated with Poisson arrivals at the
bed model's grown and uplifted daily rate and its stay distribution
(:mod:`surgewatch.planning.occupancy`). Occupancy adds the fixed occupants of
the bed model (MFFD, DTA, IPC pressure). Per month we report:

- occupancy P10/P50/P90 over every replication-day of the month;
- residual gap P10/P50/P90 over replications, where a replication's beds
  required = its mean census in the month / target occupancy + fixed occupants
  (the deterministic model with the simulated census in place of its mean);
- the probability that a day's occupancy exceeds capacity (open beds + the
  schemes' acute-bed equivalents), and the expected days over capacity.

One master seed spawns an independent stream per division
(``np.random.SeedSequence.spawn``), so results do not depend on ``workers``.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.beds import arrivals_per_day, fixed_occupants, monthly
from surgewatch.planning.gap import analyse_gap, mitigation_for
from surgewatch.planning.loading import PlanError, Problem
from surgewatch.planning.los import StayModel, stay_model
from surgewatch.planning.months import days_in
from surgewatch.planning.occupancy import simulate_census
from surgewatch.planning.plan import Division, Plan, Series, Site

FloatArray = NDArray[np.float64]
PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class MonthUncertainty:
    """One month of one area (a division, or the plan total)."""

    month: str
    capacity: float
    occupancy: tuple[float, float, float]
    residual: tuple[float, float, float]
    p_over_capacity: float
    expected_days_over: float


@dataclass(frozen=True)
class AreaUncertainty:
    """Monthly uncertainty for a division or the plan total."""

    name: str
    months: tuple[MonthUncertainty, ...]

    @property
    def expected_days_over(self) -> float:
        """Expected days over capacity across the whole plan period."""
        return sum(m.expected_days_over for m in self.months)


@dataclass(frozen=True)
class UncertaintyResult:
    """Per-division and plan-total summaries, plus the raw daily census (read-only)."""

    title: str
    replications: int
    seed: int
    areas: tuple[AreaUncertainty, ...]
    census: NDArray[np.int32]  # (division, replication, day), arrivals only


@dataclass(frozen=True)
class DivisionInputs:
    """What the simulation needs for one division, all per month or per day."""

    name: str
    rates: FloatArray  # arrivals per day, for every day of the plan
    stay: StayModel
    fixed: Series  # fixed occupants per month
    capacity: Series  # open beds + mitigation per month
    open_plus_mitigation_less_fixed: Series
    target_occupancy: float
    months: tuple[str, ...]


def daily(values: Series, months: tuple[str, ...]) -> FloatArray:
    """Repeat each month's value for each of its days."""
    return np.repeat(np.asarray(values, dtype=np.float64), [days_in(m) for m in months])


def division_inputs(plan: Plan, site: Site, division: Division) -> DivisionInputs:
    """The simulation inputs the bed model implies for one division."""
    if division.demand is None or division.open_beds is None:
        where = f"sites.{site.name}.divisions.{division.name}"
        raise PlanError(
            [
                Problem(
                    "",
                    where,
                    "no demand model to simulate; fix: add "
                    "'demand' (arrivals_per_day, mean_los_days) and 'open_beds'",
                )
            ]
        )
    a = plan.assumptions_for(division)
    rates = tuple(arrivals_per_day(division.demand, a, m) for m in plan.months)
    fixed = tuple(fixed_occupants(a, m) for m in plan.months)
    beds = monthly(division.open_beds, len(plan.months))
    single = len(plan.divisions()) == 1
    mitigation = (
        analyse_gap(plan).mitigation if single else mitigation_for(plan, site.name, division.name)
    )
    capacity = tuple(b + x for b, x in zip(beds, mitigation, strict=True))
    headroom = tuple(c - f for c, f in zip(capacity, fixed, strict=True))
    return DivisionInputs(
        f"{site.name}/{division.name}",
        daily(rates, plan.months),
        stay_model(division.demand),
        fixed,
        capacity,
        headroom,
        a.target_occupancy,
        plan.months,
    )


def _simulate(job: tuple[DivisionInputs, int, np.random.SeedSequence]) -> NDArray[np.int32]:
    inputs, replications, stream = job
    return simulate_census(inputs.rates, inputs.stay, replications, np.random.default_rng(stream))


def simulate_divisions(
    inputs: list[DivisionInputs], replications: int, seed: int, workers: int = 1
) -> NDArray[np.int32]:
    """Census per (division, replication, day), one independent stream per division."""
    streams = np.random.SeedSequence(seed).spawn(len(inputs))
    jobs = [(x, replications, s) for x, s in zip(inputs, streams, strict=True)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_simulate, jobs))
    else:
        results = [_simulate(job) for job in jobs]
    census = np.stack(results)
    census.flags.writeable = False
    return census


def _month_stats(
    census: NDArray[np.int32], required: FloatArray, x: DivisionInputs, i: int, days: slice
) -> MonthUncertainty:
    occupied = census[:, days] + x.fixed[i]
    over = occupied > x.capacity[i]
    required = required[:, days].mean(axis=1)
    residual = x.open_plus_mitigation_less_fixed[i] - required
    return MonthUncertainty(
        x.months[i],
        x.capacity[i],
        _percentiles(occupied),
        _percentiles(residual),
        float(over.mean()),
        float(over.sum(axis=1).mean()),
    )


def _percentiles(values: NDArray[np.generic]) -> tuple[float, float, float]:
    p10, p50, p90 = np.percentile(np.asarray(values, dtype=np.float64), PERCENTILES)
    return float(p10), float(p50), float(p90)


def summarise(
    census: NDArray[np.int32], x: DivisionInputs, required: FloatArray | None = None
) -> AreaUncertainty:
    """Monthly percentiles and over-capacity figures for one area's census.

    ``required`` is the census scaled by 1 / target occupancy (computed from
    ``census`` when not given; the plan total passes the sum over divisions).
    """
    required = census / x.target_occupancy if required is None else required
    starts = np.cumsum([0] + [days_in(m) for m in x.months])
    stats = tuple(
        _month_stats(census, required, x, i, slice(int(starts[i]), int(starts[i + 1])))
        for i in range(len(x.months))
    )
    return AreaUncertainty(x.name, stats)


def plan_total(plan: Plan, inputs: list[DivisionInputs]) -> DivisionInputs:
    """The plan total as one area: sums of fixed occupants and of capacity with all schemes."""
    gap = analyse_gap(plan)
    fixed = tuple(map(sum, zip(*(x.fixed for x in inputs), strict=True)))
    beds = [
        sum(monthly(d.open_beds or 0.0, len(plan.months))[i] for _, d in plan.divisions())
        for i in range(len(plan.months))
    ]
    capacity = tuple(b + m for b, m in zip(beds, gap.mitigation, strict=True))
    headroom = tuple(c - f for c, f in zip(capacity, fixed, strict=True))
    return DivisionInputs(
        "Plan total", np.zeros(0), inputs[0].stay, fixed, capacity, headroom, 1.0, plan.months
    )


def run_uncertainty(
    plan: Plan, replications: int, seed: int, workers: int = 1
) -> UncertaintyResult:
    """Simulate every division ``replications`` times from master ``seed``; summarise by month."""
    inputs = [division_inputs(plan, site, division) for site, division in plan.divisions()]
    census = simulate_divisions(inputs, replications, seed, workers)
    areas = [summarise(census[i], x) for i, x in enumerate(inputs)]
    if len(inputs) > 1:
        required = sum(census[i] / x.target_occupancy for i, x in enumerate(inputs))
        total = census.sum(axis=0, dtype=np.int32)
        areas.append(summarise(total, plan_total(plan, inputs), np.asarray(required)))
    return UncertaintyResult(plan.title, replications, seed, tuple(areas), census)
