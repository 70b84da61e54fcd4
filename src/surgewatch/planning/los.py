"""Length-of-stay distributions: exponential, log-normal or empirical (issue 5).

The daily bed census counts a patient at every midnight during the stay. A
patient arriving at a uniform time within a day and staying L days is counted
K = floor(U + L) times, and P(K >= k) = g(k - 1) - g(k) where g is the
stop-loss transform g(a) = E[(L - a)+]; so E[K] = E[L] exactly, which is why
mean census occupancy is arrivals x mean stay whatever the distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.plan import Demand

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StayModel:
    """A length-of-stay distribution with the given mean (days)."""

    kind: str
    mean: float
    sigma: float = 0.0
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    def probabilities(self) -> FloatArray:
        """Empirical weights normalised to sum to one."""
        w = np.asarray(self.weights or (1.0,) * len(self.values), dtype=np.float64)
        return np.asarray(w / w.sum(), dtype=np.float64)


def stay_model(demand: Demand) -> StayModel:
    """The stay distribution a division's demand block describes."""
    los = demand.los
    if los.kind == "empirical":
        assert los.values is not None
        return StayModel("empirical", demand.mean_los_days, 0.0, los.values, los.weights or ())
    return StayModel(los.kind, demand.mean_los_days, los.sigma or 0.0)


def empirical_mean(values: tuple[float, ...], weights: tuple[float, ...] | None) -> float:
    """Weighted mean of empirical stays (checked against ``mean_los_days`` on load)."""
    model = StayModel("empirical", 0.0, 0.0, values, weights or ())
    return float(np.dot(model.probabilities(), np.asarray(values, dtype=np.float64)))


def _normal_cdf(x: FloatArray) -> FloatArray:
    return np.asarray([0.5 * math.erfc(-v / math.sqrt(2)) for v in x], dtype=np.float64)


def stop_loss(model: StayModel, a: FloatArray) -> FloatArray:
    """g(a) = E[(L - a)+] for each a >= 0, in closed form."""
    if model.kind == "exponential":
        return np.asarray(model.mean * np.exp(-a / model.mean), dtype=np.float64)
    if model.kind == "empirical":
        v = np.asarray(model.values, dtype=np.float64)
        return np.asarray(np.maximum(v[None, :] - a[:, None], 0.0) @ model.probabilities())
    mu = math.log(model.mean) - model.sigma**2 / 2
    safe = np.maximum(a, 1e-300)
    d1 = (mu + model.sigma**2 - np.log(safe)) / model.sigma
    g = model.mean * _normal_cdf(d1) - a * _normal_cdf(d1 - model.sigma)
    return np.where(a <= 0, model.mean - a, g)


def midnight_pmf(model: StayModel, tail: float = 1e-7, cap: int = 2000) -> FloatArray:
    """P(K = k) for k = 0..kmax, the last entry holding the (tiny) tail beyond kmax."""
    ks = np.arange(cap + 2, dtype=np.float64)
    g = stop_loss(model, ks)
    at_least = np.concatenate(([1.0], g[:-1] - g[1:]))  # P(K >= k), k = 0..cap+1
    kmax = int(np.argmax(at_least[1:] < tail)) if (at_least[1:] < tail).any() else cap
    pmf = at_least[: kmax + 1] - at_least[1 : kmax + 2]
    pmf[-1] += at_least[kmax + 1]
    return np.asarray(np.clip(pmf, 0.0, None) / np.clip(pmf, 0.0, None).sum())


def sample_stays(
    model: StayModel, rng: np.random.Generator, size: int | tuple[int, ...]
) -> FloatArray:
    """Draw continuous stays in days."""
    if model.kind == "exponential":
        return rng.exponential(model.mean, size)
    if model.kind == "lognormal":
        mu = math.log(model.mean) - model.sigma**2 / 2
        return rng.lognormal(mu, model.sigma, size)
    values = np.asarray(model.values, dtype=np.float64)
    return np.asarray(rng.choice(values, size=size, p=model.probabilities()))


def sample_residual_stays(
    model: StayModel, rng: np.random.Generator, size: tuple[int, ...]
) -> FloatArray:
    """Remaining stay of a patient found in bed at a random time (equilibrium law).

    A length-biased stay (weight proportional to its length) times a uniform
    fraction; used to start a simulation in its stationary state.
    """
    if model.kind == "exponential":
        return rng.exponential(model.mean, size)
    if model.kind == "lognormal":
        mu = math.log(model.mean) - model.sigma**2 / 2 + model.sigma**2
        biased = rng.lognormal(mu, model.sigma, size)
    else:
        values = np.asarray(model.values, dtype=np.float64)
        p = model.probabilities() * values
        biased = rng.choice(values, size=size, p=p / p.sum())
    return np.asarray(biased * rng.random(size))
