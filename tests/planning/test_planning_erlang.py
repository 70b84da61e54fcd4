"""Queueing theory checks on the simulation (issue 5 validation).

Tolerance: each case runs 300 replications x 3,000 counted arrivals (900,000
arrivals). The replications are independent, so the standard error of the
blocking share is their spread / sqrt(300); at these loads it is 0.0004-0.001
(checked below to be under 6% of the Erlang value). We allow 4 standard errors:
a correct simulator fails one case with probability about 6e-5, and a bias of
more than about 15% of B at load 85 (less at higher loads) is caught.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from surgewatch.planning.erlang import erlang_b
from surgewatch.planning.los import StayModel
from surgewatch.planning.lossmodel import simulate_loss
from surgewatch.planning.occupancy import simulate_census

STAYS = {
    "exponential": StayModel("exponential", 1.0),
    "lognormal": StayModel("lognormal", 1.0, sigma=1.0),
    "empirical": StayModel("empirical", 1.0, values=(0.25, 1.0, 2.5), weights=(0.4, 0.4, 0.2)),
}


@pytest.mark.parametrize(("load", "expected"), [(85, 0.0120), (90, 0.0270), (95, 0.0488)])
def test_erlang_b_formula(load: float, expected: float) -> None:
    assert round(erlang_b(100, load), 4) == expected


def test_erlang_b_small_cases() -> None:
    assert erlang_b(1, 1.0) == 0.5
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(0, 3.0) == 1.0


@pytest.mark.parametrize("kind", sorted(STAYS))
@pytest.mark.parametrize(("beds", "load"), [(100, 85), (100, 90), (100, 95), (20, 15)])
def test_simulated_blocking_matches_erlang_b(kind: str, beds: int, load: float) -> None:
    rng = np.random.default_rng([beds, int(load), len(kind)])
    result = simulate_loss(beds, load, STAYS[kind], 3000, 0, 300, rng)
    expected = erlang_b(beds, load)
    assert result.standard_error < 0.06 * expected
    assert abs(result.blocking - expected) < 4 * result.standard_error


def _poisson_cdf(k: np.ndarray, mean: float) -> np.ndarray:
    terms = np.exp(
        np.arange(k.max() + 1) * math.log(mean)
        - mean
        - np.array([math.lgamma(i + 1) for i in range(k.max() + 1)])
    )
    return np.asarray(np.cumsum(terms)[k], dtype=np.float64)


@pytest.mark.parametrize("kind", sorted(STAYS))
def test_unlimited_beds_census_is_poisson(kind: str) -> None:
    stay = STAYS[kind]
    mean_stay = 1.0 if kind != "empirical" else 0.1 + 0.4 + 0.5
    rate = 40.0
    census = simulate_census(np.full(120, rate), stay, 2000, np.random.default_rng(11))
    sample = census[:, 60:].ravel()  # one day per replication is independent; use all days
    mean = rate * mean_stay
    assert sample.mean() == pytest.approx(mean, rel=0.01)
    assert sample.var() == pytest.approx(mean, rel=0.05)
    ks = np.array([30, 35, 40, 45, 50])
    empirical = np.array([(sample <= k).mean() for k in ks])
    assert np.abs(empirical - _poisson_cdf(ks, mean)).max() < 0.01
