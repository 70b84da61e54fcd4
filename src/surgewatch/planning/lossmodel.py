"""A finite-bed loss system simulated by patient, vectorised across replications.

Used to validate the stay samplers against Erlang B: each replication has
``beds`` beds and Poisson arrivals; an arrival takes the bed that frees
earliest if it is already free, otherwise it is turned away (no waiting room).
Replications start in the stationary state (busy beds ~ Poisson(load) truncated
at ``beds``, remaining stays from the equilibrium law), so heavy-tailed stays
need no long warm-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surgewatch.planning.los import StayModel, sample_residual_stays, sample_stays


@dataclass(frozen=True)
class LossResult:
    """Arrivals turned away per replication, after the warm-up."""

    arrivals: int  # counted arrivals per replication
    blocked: tuple[int, ...]

    @property
    def blocking(self) -> float:
        """Share of counted arrivals that found no free bed."""
        return sum(self.blocked) / (self.arrivals * len(self.blocked))

    @property
    def standard_error(self) -> float:
        """Standard error of :attr:`blocking` from the spread between replications."""
        shares = np.asarray(self.blocked, dtype=np.float64) / self.arrivals
        return float(shares.std(ddof=1) / np.sqrt(shares.size))


def simulate_loss(
    beds: int,
    arrival_rate: float,
    stay: StayModel,
    arrivals: int,
    warmup: int,
    replications: int,
    rng: np.random.Generator,
) -> LossResult:
    """Simulate ``warmup + arrivals`` arrivals in each replication; count blocked ones."""
    times = np.cumsum(rng.exponential(1 / arrival_rate, (replications, warmup + arrivals)), axis=1)
    stays = sample_stays(stay, rng, (replications, warmup + arrivals))
    free_at = _stationary_start(beds, arrival_rate * stay_mean(stay), stay, replications, rng)
    rows = np.arange(replications)
    blocked = np.zeros(replications, dtype=np.int64)
    for j in range(warmup + arrivals):
        bed = free_at.argmin(axis=1)
        admitted = free_at[rows, bed] <= times[:, j]
        free_at[rows[admitted], bed[admitted]] = times[admitted, j] + stays[admitted, j]
        if j >= warmup:
            blocked += ~admitted
    return LossResult(arrivals, tuple(int(b) for b in blocked))


def stay_mean(stay: StayModel) -> float:
    """Mean stay (empirical: the weighted mean of its values)."""
    if stay.kind != "empirical":
        return stay.mean
    return float(np.dot(stay.probabilities(), np.asarray(stay.values, dtype=np.float64)))


def _stationary_start(
    beds: int, load: float, stay: StayModel, replications: int, rng: np.random.Generator
) -> np.ndarray:
    k = np.arange(beds + 1)
    log_p = k * np.log(load) - np.cumsum(np.log(np.maximum(k, 1)))
    p = np.exp(log_p - log_p.max())
    busy = rng.choice(beds + 1, size=replications, p=p / p.sum())
    free_at = sample_residual_stays(stay, rng, (replications, beds))
    free_at[k[None, :beds] >= busy[:, None]] = 0.0
    return free_at
