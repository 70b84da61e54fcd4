"""The flow model against queueing theory (issue 6, 'Correctness').

With downstream capacity unlimited a single ward is M/G/c: with no waiting
(``when_full: divert``) the share of arrivals finding every bed full is
Erlang B for any stay distribution; with waiting in ED (``when_full: wait``)
and exponential stays the share who wait is Erlang C.

Tolerance: each case runs 40 independent replications; the estimate is
their mean and its standard error their spread / sqrt(40). We allow 4
standard errors plus a 1% relative allowance for what is left of the start-up
transient (each run starts empty and discards a warm-up of at least 20 mean
stays: 2 days is 20-40 of them here). Each case takes about a second.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from surgewatch.planning.erlang import erlang_b
from surgewatch.planning.flow.api import inputs_from_data
from surgewatch.planning.flow.run import simulate

REPLICATIONS = 40
PATIENTS = 20_000  # per replication, after the warm-up
# Stays are short (about an hour) so a run has many patients a day and few days:
# the theory depends only on the load, and the engine's cost is patients plus days.
EXPONENTIAL = {"kind": "exponential", "mean_days": 0.05}
LOGNORMAL = {"kind": "lognormal", "mean_days": 0.1, "sigma": 1.0}
EMPIRICAL = {
    "kind": "empirical",
    "mean_days": 0.05,
    "values": [0.0125, 0.05, 0.125],
    "weights": [0.4, 0.4, 0.2],
}


def single_ward(
    beds: int, load: float, when_full: str, stay: dict[str, Any], days: int, warm_up: int
) -> dict[str, Any]:
    """One ward, Poisson arrivals at ``load`` / mean stay a day, unlimited downstream."""
    return {
        "title": f"{beds} beds at load {load}",
        "period": {"start": "2025-01-01", "days": days},
        "warm_up_days": warm_up,
        "arrivals": {"per_day": load / stay["mean_days"]},
        "ward": {"beds": beds, "when_full": when_full},
        "pathways": [{"pathway": 0, "share": 1.0, "los": stay}],
    }


def erlang_c(servers: int, load: float) -> float:
    """Probability an arrival waits in M/M/c: c B / (c - A (1 - B))."""
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1 - blocking))


def share_finding_full(
    beds: int, load: float, when_full: str, stay: dict[str, Any], seed: int
) -> np.ndarray:
    days = max(20, int(PATIENTS / (load / stay["mean_days"])))
    inputs = inputs_from_data(single_ward(beds, load, when_full, stay, days, warm_up=2))
    result = simulate(inputs, REPLICATIONS, seed, workers=1)
    shares = result.ward["found_full"].sum(axis=1) / result.ward["ward_arrivals"].sum(axis=1)
    return np.asarray(shares, dtype=np.float64)


def assert_within(shares: np.ndarray, expected: float) -> None:
    se = shares.std(ddof=1) / math.sqrt(shares.size)
    assert se < 0.1 * expected  # the test can tell a wrong answer from a right one
    assert abs(shares.mean() - expected) <= 4 * se + 0.01 * expected, (shares.mean(), expected, se)


@pytest.mark.parametrize(
    ("beds", "load", "stay"),
    [
        (5, 3.0, EXPONENTIAL),
        (20, 18.0, EXPONENTIAL),
        (50, 45.0, LOGNORMAL),
        (10, 9.0, EMPIRICAL),
    ],
    ids=["c5-load3-exp", "c20-load18-exp", "c50-load45-lognormal", "c10-load9-empirical"],
)
def test_blocking_matches_erlang_b(beds: int, load: float, stay: dict[str, Any]) -> None:
    shares = share_finding_full(beds, load, "divert", stay, seed=beds)
    assert_within(shares, erlang_b(beds, load))


@pytest.mark.parametrize(
    ("beds", "load"),
    [(5, 3.5), (10, 8.0), (30, 25.0)],
    ids=["c5-load3.5", "c10-load8", "c30-load25"],
)
def test_waiting_matches_erlang_c(beds: int, load: float) -> None:
    shares = share_finding_full(beds, load, "wait", EXPONENTIAL, seed=100 + beds)
    assert_within(shares, erlang_c(beds, load))


def test_erlang_c_formula() -> None:
    # M/M/1: the probability of waiting is the utilisation.
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    assert erlang_c(10, 8.0) == pytest.approx(0.409, abs=0.001)
