"""Erlang B: the share of arrivals finding every bed full (issue 5 validation).

For c beds, Poisson arrivals, no waiting room and offered load A = arrival
rate x mean stay, the blocking probability is Erlang B, whatever the
length-of-stay distribution (the insensitivity of the M/G/c/c loss system).
Computed by the stable recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)).
"""

from __future__ import annotations


def erlang_b(beds: int, load: float) -> float:
    """Blocking probability for ``beds`` servers at offered ``load`` (100 beds, 90 -> 0.0270)."""
    if beds < 0 or load < 0:
        raise ValueError("beds and load must be >= 0")
    blocking = 1.0
    for k in range(1, beds + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking
