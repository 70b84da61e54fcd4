"""Daily bed census by replication with Poisson arrivals and unlimited beds (M_t/G/inf).

Vectorised over replications. Arrivals on day t are Poisson(rate[t]); each
patient is counted at K midnights with K drawn from the stay model's
:func:`midnight_pmf`. Census c counts arrivals of day c (if K >= 1) and
earlier patients still in. Two exact engines:

- exponential stays are memoryless, so the census is a Markov chain:
  census[c] = Binomial(census[c-1], exp(-1/mean)) + Poisson(rate[c] P(K >= 1)),
  started from its stationary law Poisson(rate[0] x mean);
- any other stay: for each k, the arrivals staying exactly k midnights are
  Poisson(rate[t] P(K = k)) and independent (Poisson thinning), and each adds
  one to census t .. t+k-1; a warm-up of kmax days at the first day's rate
  fills the wards before day 0.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.los import StayModel, midnight_pmf

IntArray = NDArray[np.int32]
FloatArray = NDArray[np.float64]


def simulate_census(
    rates: FloatArray, stay: StayModel, replications: int, rng: np.random.Generator
) -> IntArray:
    """Census (patients in beds at midnight) per replication and day: shape (reps, days)."""
    rates = np.asarray(rates, dtype=np.float64)
    if stay.kind == "exponential":
        return _markov_census(rates, stay.mean, replications, rng)
    return _thinned_census(rates, midnight_pmf(stay), replications, rng)


def _markov_census(
    rates: FloatArray, mean: float, replications: int, rng: np.random.Generator
) -> IntArray:
    stay_on = math.exp(-1.0 / mean)
    first_night = mean * (1.0 - stay_on)  # P(K >= 1) for a uniform arrival time
    census = np.empty((replications, rates.size), dtype=np.int32)
    current = rng.poisson(rates[0] * mean, replications)
    for day, rate in enumerate(rates):
        current = rng.binomial(current, stay_on) if day else current
        if day:
            current = current + rng.poisson(rate * first_night, replications)
        census[:, day] = current
    return census


def _thinned_census(
    rates: FloatArray, pmf: FloatArray, replications: int, rng: np.random.Generator
) -> IntArray:
    kmax = pmf.size - 1
    padded = np.concatenate((np.full(kmax, rates[0]), rates))
    change = np.zeros((replications, padded.size + kmax + 1), dtype=np.int32)
    split = _tail_start(pmf, float(padded.max()))
    for k in range(1, split + 1):
        if pmf[k] > 0:
            arrivals = rng.poisson(padded * pmf[k], (replications, padded.size)).astype(np.int32)
            change[:, : padded.size] += arrivals
            change[:, k : k + padded.size] -= arrivals
    if split < kmax:
        change += _tail_changes(padded, pmf, split, change.shape, rng)
    census = np.cumsum(change, axis=1, dtype=np.int32)
    return np.ascontiguousarray(census[:, kmax : kmax + rates.size])


def _tail_start(pmf: FloatArray, peak_rate: float) -> int:
    """Last k drawn bucket by bucket; longer stays are drawn patient by patient.

    A bucket costs one draw per replication-day, a tail patient about three, so
    the split is where the expected tail patients per day fall below the
    buckets left.
    """
    beyond = pmf[::-1].cumsum()[::-1]  # P(K >= k)
    for k in range(1, pmf.size):
        if 3 * peak_rate * beyond[k] <= pmf.size - k:
            return k - 1
    return pmf.size - 1


def _tail_changes(
    padded: FloatArray,
    pmf: FloatArray,
    split: int,
    shape: tuple[int, int],
    rng: np.random.Generator,
) -> IntArray:
    tail = pmf[split + 1 :]
    counts = rng.poisson(padded * tail.sum(), (shape[0], padded.size))
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    stays = split + 1 + rng.choice(tail.size, size=cells.size, p=tail / tail.sum())
    reps, days = np.divmod(cells, padded.size)
    starts = reps * shape[1] + days
    size = shape[0] * shape[1]
    added = np.bincount(starts, minlength=size) - np.bincount(starts + stays, minlength=size)
    return added.reshape(shape).astype(np.int32)
