"""Properties of every run, whatever the scenario (hypothesis), and the arrival pattern."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surgewatch.planning.flow.api import inputs_from_data
from surgewatch.planning.flow.model import draw_patients
from surgewatch.planning.flow.run import simulate


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    p1 = draw(st.floats(0.0, 0.5))
    p3 = draw(st.floats(0.0, 0.2))
    return {
        "title": "property",
        "period": {"start": "2025-01-06", "days": 28},
        "warm_up_days": draw(st.integers(0, 10)),
        "arrivals": {"per_day": draw(st.floats(1.0, 30.0))},
        "ward": {
            "beds": draw(st.integers(1, 40)),
            "when_full": draw(st.sampled_from(["wait", "divert"])),
        },
        "pathways": [
            {"pathway": 0, "share": 1 - p1 - p3, "los": {"kind": "exponential", "mean_days": 1.5}},
            {
                "pathway": 1,
                "share": p1,
                "los": {"kind": "exponential", "mean_days": 3},
                "service": "hc",
            },
            {
                "pathway": 3,
                "share": p3,
                "los": {"kind": "lognormal", "mean_days": 4, "sigma": 0.7},
                "service": "ch",
            },
        ],
        "services": [
            {
                "name": "hc",
                "kind": "home_care",
                "places": draw(st.integers(0, 20)),
                "starts_per_day": draw(st.one_of(st.none(), st.integers(0, 6))),
                "stay": {"kind": "exponential", "mean_days": 7},
            },
            {
                "name": "ch",
                "kind": "beds",
                "places": draw(st.integers(0, 8)),
                "stay": {"kind": "exponential", "mean_days": 10},
            },
        ],
        "schemes": [
            {
                "name": "VW",
                "effect": "virtual_ward",
                "places": draw(st.integers(0, 5)),
                "share": draw(st.floats(0, 0.3)),
                "stay": {"kind": "exponential", "mean_days": 2},
            }
        ],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_capacity_and_accounting_invariants(data: dict[str, Any], seed: int) -> None:
    inputs = inputs_from_data(data)
    r = simulate(inputs, 2, seed, workers=1)
    w, s = r.ward, r.services
    beds = data["ward"]["beds"]
    assert (w["occupancy"] <= beds).all()
    assert (w["occupancy"][w["dta_waiting"] > 0] == beds).all()  # nobody waits beside a free bed
    if data["ward"]["when_full"] == "divert":
        assert (w["dta_waiting"] == 0).all() and (w["diverted"] == w["found_full"]).all()
    places = np.array([x["places"] for x in data["services"]])[None, :, None]
    assert (s["in_service"] <= places).all()
    assert (s["free_places"] == places - s["in_service"]).all()
    assert (s["free_starts_today"] <= s["free_places"]).all()
    # no weekend limit here, so every NCTR patient is in a downstream queue
    assert (w["nctr_patients"] == s["queue"].sum(axis=1)).all()
    assert (s["queue"][s["free_starts_today"] > 0] == 0).all()  # nobody queues beside a free start
    assert (w["virtual_ward_occupancy"] <= data["schemes"][0]["places"]).all()
    assert (w["bed_days_lost"] >= 0).all() and (w["bed_days_lost"] <= beds + 1e-9).all()
    assert (w["ward_arrivals"] + w["virtual_ward_admissions"] + w["avoided"] == w["arrivals"]).all()


def test_weekly_and_hourly_patterns_shape_arrivals() -> None:
    data = {
        "title": "pattern",
        "period": {"start": "2025-01-06", "days": 700},  # a Monday
        "warm_up_days": 0,
        "arrivals": {
            "per_day": 50.0,
            "weekday_factors": [1.4, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8],
            "hourly_profile": [0] * 10 + [1] + [0] * 13,  # every arrival between 10:00 and 11:00
        },
        "ward": {"beds": 500},
        "pathways": [{"pathway": 0, "share": 1, "los": {"kind": "exponential", "mean_days": 1}}],
    }
    inputs = inputs_from_data(data)
    patients = draw_patients(inputs, np.random.SeedSequence(1))
    hours = (patients.time - patients.day) * 24
    assert hours.min() >= 10 and hours.max() < 11
    by_weekday = np.bincount(patients.day % 7, minlength=7) / 100  # 100 weeks
    assert abs(by_weekday[0] / 50 - 1.4) < 0.03 and abs(by_weekday[6] / 50 - 0.8) < 0.03
