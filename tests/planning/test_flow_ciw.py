"""The flow model against Ciw on a small network (issue 6, 'Correctness').

A ward of 12 beds (Poisson arrivals, 8 a day, exponential stays to medically
fit averaging a day) where patients wait in ED when it is full; 30% then need
a D2A unit of 6 places (exponential stays of 1.5 days) and hold their acute
bed until a place frees (Ciw: blocking after service, queue capacity 0). Both
engines run 30 independent replications of 300 days after a 20-day warm-up;
per arrival we compare the mean DTA wait in ED and the mean time fit but
held in an acute bed (bed days lost). Means must agree within 4 standard
errors of their difference. DTA waits are heavy-tailed (a run of D2A
blocking backs up the ward), so their standard error is the larger; a
100-replication run gave 0.058 vs Ciw's 0.063 days (s.e. 0.006) and 0.032 vs
0.032 days held (s.e. 0.002). About 5 seconds, most of it Ciw.
"""

from __future__ import annotations

import math
from typing import Any

import ciw  # type: ignore[import-untyped]
import numpy as np

from surgewatch.planning.flow.api import inputs_from_data
from surgewatch.planning.flow.run import simulate

ARRIVALS, BEDS, D2A_PLACES, D2A_SHARE = 8.0, 12, 6, 0.3
FIT_DAYS, D2A_DAYS = 1.0, 1.5
WARM_UP, DAYS, REPLICATIONS = 20, 300, 30


def network_scenario() -> dict[str, Any]:
    fit = {"kind": "exponential", "mean_days": FIT_DAYS}
    return {
        "title": "Ward feeding a limited D2A unit",
        "period": {"start": "2025-01-01", "days": DAYS},
        "warm_up_days": WARM_UP,
        "arrivals": {"per_day": ARRIVALS},
        "ward": {"beds": BEDS, "when_full": "wait"},
        "pathways": [
            {"pathway": 0, "share": 1 - D2A_SHARE, "los": fit},
            {"pathway": 2, "share": D2A_SHARE, "los": fit, "service": "d2a"},
        ],
        "services": [
            {
                "name": "d2a",
                "kind": "beds",
                "places": D2A_PLACES,
                "stay": {"kind": "exponential", "mean_days": D2A_DAYS},
            }
        ],
    }


def surgewatch_per_arrival() -> tuple[np.ndarray, np.ndarray]:
    result = simulate(inputs_from_data(network_scenario()), REPLICATIONS, seed=2025, workers=1)
    arrivals = result.ward["ward_arrivals"].sum(axis=1)
    dta = result.ward["dta_wait_days"].sum(axis=1) / arrivals
    held = result.ward["bed_days_lost"].sum(axis=1) / arrivals
    return dta, held


def ciw_network() -> Any:
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS), None],
        service_distributions=[
            ciw.dists.Exponential(rate=1 / FIT_DAYS),
            ciw.dists.Exponential(rate=1 / D2A_DAYS),
        ],
        routing=[[0.0, D2A_SHARE], [0.0, 0.0]],
        number_of_servers=[BEDS, D2A_PLACES],
        queue_capacities=[float("inf"), 0],
    )


def ciw_per_arrival() -> tuple[np.ndarray, np.ndarray]:
    dta, held = [], []
    for rep in range(REPLICATIONS):
        ciw.seed(rep)
        sim = ciw.Simulation(ciw_network())
        sim.simulate_until_max_time(WARM_UP + DAYS + 30)
        ward = [
            r
            for r in sim.get_all_records()
            if r.node == 1 and WARM_UP <= r.arrival_date < WARM_UP + DAYS
        ]
        dta.append(sum(r.waiting_time for r in ward) / len(ward))
        held.append(sum(r.time_blocked for r in ward) / len(ward))
    return np.asarray(dta), np.asarray(held)


def assert_agree(ours: np.ndarray, theirs: np.ndarray) -> None:
    se = math.sqrt(ours.var(ddof=1) / ours.size + theirs.var(ddof=1) / theirs.size)
    assert se < 0.3 * theirs.mean()  # precise enough to tell a wrong model apart
    assert abs(ours.mean() - theirs.mean()) <= 4 * se, (ours.mean(), theirs.mean(), se)


def test_ward_and_d2a_agree_with_ciw() -> None:
    our_dta, our_held = surgewatch_per_arrival()
    ciw_dta, ciw_held = ciw_per_arrival()
    assert ciw_held.mean() > 0.02  # the D2A unit really does hold patients in acute beds
    assert ciw_dta.mean() > 0.02  # and the ward really does make patients wait
    assert_agree(our_dta, ciw_dta)
    assert_agree(our_held, ciw_held)
