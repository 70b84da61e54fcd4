"""Flow runs: reproducible from the seed, common random numbers, schemes, predicted OPEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from surgewatch.core.acting import engine_level, held_cell_levels
from surgewatch.core.assess import Reading, assess
from surgewatch.planning.flow.api import compare_files, inputs_from_data, run_file
from surgewatch.planning.flow.inputs import compile_inputs
from surgewatch.planning.flow.loading import load_scenario
from surgewatch.planning.flow.opel import feed_values
from surgewatch.planning.flow.run import compare, estimate, simulate, t_quantile

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
BASE = SCENARIOS / "ssot-base.yaml"
T0 = datetime(2024, 10, 1, 10, 0, tzinfo=UTC)  # any daily reading time
HOME_FIRST = SCENARIOS / "ssot-home-first-1000h.yaml"


def small_system(**changes: Any) -> dict[str, Any]:
    """A ward, home care with weekday and weekend start limits, and a care home."""
    data: dict[str, Any] = {
        "title": "small system",
        "period": {"start": "2025-01-06", "days": 56},
        "warm_up_days": 21,
        "arrivals": {"per_day": 20.0},
        "ward": {"beds": 70, "weekend_discharges_per_day": 12},
        "pathways": [
            {
                "pathway": 0,
                "share": 0.8,
                "los": {"kind": "lognormal", "mean_days": 2, "sigma": 0.8},
            },
            {
                "pathway": 1,
                "share": 0.15,
                "los": {"kind": "exponential", "mean_days": 5},
                "service": "hc",
            },
            {
                "pathway": 3,
                "share": 0.05,
                "los": {"kind": "exponential", "mean_days": 7},
                "service": "ch",
            },
        ],
        "services": [
            {
                "name": "hc",
                "kind": "home_care",
                "hours_per_week": 400,
                "hours_per_package_week": 10,
                "starts_per_day": 5,
                "weekend_starts_per_day": 1,
                "stay": {"kind": "exponential", "mean_days": 14},
            },
            {
                "name": "ch",
                "kind": "beds",
                "places": 12,
                "stay": {"kind": "exponential", "mean_days": 10},
            },
        ],
    }
    data.update(changes)
    return data


def test_same_seed_same_result_whatever_the_workers() -> None:
    inputs = inputs_from_data(small_system())
    one = simulate(inputs, 6, seed=11, workers=1)
    two = simulate(inputs, 6, seed=11, workers=2)
    for key in one.ward:
        np.testing.assert_array_equal(one.ward[key], two.ward[key])
    np.testing.assert_array_equal(one.services["queue"], two.services["queue"])
    assert one.patients == two.patients


def test_different_seeds_and_replications_differ() -> None:
    inputs = inputs_from_data(small_system())
    a = simulate(inputs, 2, seed=1, workers=1)
    b = simulate(inputs, 2, seed=2, workers=1)
    assert not np.array_equal(a.ward["occupancy"], b.ward["occupancy"])
    # replications are independent streams, not copies of one another
    assert not np.array_equal(a.ward["occupancy"][0], a.ward["occupancy"][1])


def test_identical_scenarios_compare_to_exactly_zero() -> None:
    inputs = inputs_from_data(small_system())
    result = compare(inputs, inputs, 5, seed=3, workers=1)
    for name, diff in result.differences.items():
        assert (diff.mean, diff.low, diff.high) == (0.0, 0.0, 0.0), name


def test_more_home_care_hours_reduce_nctr_on_common_streams() -> None:
    base = inputs_from_data(small_system())
    more = small_system()
    more["schemes"] = [
        {
            "name": "Extra hours",
            "effect": "service_capacity",
            "service": "hc",
            "hours_per_week": 200,
        }
    ]
    result = compare(base, inputs_from_data(more), 8, seed=5, workers=1)
    lost = result.differences["bed_days_lost"]
    assert lost.high < 0  # fewer bed days lost, and the interval excludes no change
    assert result.differences["hc.mean_in_service"].low > 0


def test_seven_day_service_lifts_weekend_limits() -> None:
    limited = inputs_from_data(small_system())
    seven = inputs_from_data(small_system(seven_day_service=True))
    saturday = 5  # 2025-01-06 is a Monday, so day 5 of the period is a Saturday
    w = limited.warm_up + saturday
    assert (limited.discharge_cap[w], limited.start_cap[0, w]) == (12, 1)
    assert (seven.discharge_cap[w], seven.start_cap[0, w]) == (-1, 5)
    assert limited.start_cap[0, w + 2] == 5  # Monday
    result = compare(limited, seven, 6, seed=8, workers=1)
    assert result.differences["bed_days_lost"].high < 0


def test_admission_avoidance_and_added_beds_act_on_the_model() -> None:
    base = inputs_from_data(small_system())
    schemes = [
        {"name": "UCR", "effect": "admission_avoidance", "share": 0.1},
        {"name": "Escalation ward", "effect": "added_beds", "beds": 8},
    ]
    other = inputs_from_data(small_system(schemes=schemes))
    assert int(other.beds[0]) == 78
    np.testing.assert_allclose(other.avoided_share, 0.1)
    result = compare(base, other, 6, seed=9, workers=1)
    avoided = result.b.ward["avoided"].sum() / result.b.ward["arrivals"].sum()
    assert avoided == pytest.approx(0.1, abs=0.01)
    assert result.differences["mean_occupancy"].high < 0


def test_shorter_stays_scale_only_the_listed_pathways() -> None:
    scheme = {"name": "Board rounds", "effect": "shorter_stay", "pathways": [1], "factor": 0.8}
    inputs = inputs_from_data(small_system(schemes=[scheme]))
    np.testing.assert_allclose(inputs.stay_factor[0], [1.0, 0.8, 1.0, 1.0])


def test_example_scenarios_take_seed_figures_from_the_plan() -> None:
    base = compile_inputs(load_scenario(BASE))
    home_first = compile_inputs(load_scenario(HOME_FIRST))
    days = base.warm_up + np.array([0, 31, 61])  # 1 Oct, 1 Nov, 1 Dec 2024
    # Medical Short Stay 14 beds from November; Cheadle 31 + Haywood 10 D2A beds from December.
    assert base.beds[days].tolist() == [525, 539, 539]
    assert base.places[1, days].tolist() == [140, 140, 181]
    # Home First: 5,000 hours / 10 a package; +1,000 hours a week from November (seed 002).
    assert base.places[0, days].tolist() == [500, 500, 500]
    assert home_first.places[0, days].tolist() == [500, 600, 600]
    # 260 a day grown 1.8% a year from June 2024, x 1.065 in December (seed 002), x weekday factor.
    wednesday = base.warm_up + 64  # 2024-12-04 is a Wednesday (factor 1.00)
    assert base.arrivals[wednesday] == pytest.approx(260 * 1.018 ** (6 / 12) * 1.065)


def test_predicted_opel_is_what_the_live_engine_says() -> None:
    """Each day's readings banded by ``core.assess``, held by ``core.acting`` as the live
    service holds them (Kent: 48 hours), and the pack's rule over the held levels."""
    report = run_file(BASE, 3, seed=4, workers=1)
    assert report.opel is not None and report.scenario.pack is not None
    pack = report.scenario.pack
    feeds = report.scenario.scenario.escalation.indicators  # type: ignore[union-attr]
    values = [feed_values(report.result, f) for f in feeds]

    def live_level(rep: int, day: int) -> int | None:
        history: dict[tuple[str, str], list[tuple[datetime, int | None]]] = {}
        for d in range(max(0, day - 5), day + 1):
            readings = [
                Reading(f.indicator, f.area, float(v[rep, d]))
                for f, v in zip(feeds, values, strict=True)
            ]
            for result in assess(pack, readings).results:
                cell = (result.reading.indicator, result.reading.area)
                history.setdefault(cell, []).append((T0 + timedelta(days=d), result.level))
        held = held_cell_levels(pack, history, T0 + timedelta(days=day))
        return engine_level(pack, held)

    unheld = np.max(report.opel.indicator_levels, axis=0)  # no hold: any level change shows
    stepped_down = [
        (rep, day)
        for rep in range(3)
        for day in range(1, unheld.shape[1])
        if unheld[rep, day] < unheld[rep, day - 1]
    ]
    assert stepped_down, "the example should fall back somewhere, or the hold is not exercised"
    for rep, day in [(0, 0), (1, 100), (2, 150), *stepped_down[:6]]:
        assert report.opel.organisation[rep, day] == live_level(rep, day), (rep, day)
    shares = report.opel.share_at_level()
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)


def test_home_first_hours_cut_bed_days_lost_in_the_example() -> None:
    both = compare_files(BASE, HOME_FIRST, 6, seed=1, workers=2)
    assert both.differences["bed_days_lost"].high < 0
    assert both.differences["home_first.mean_in_service"].mean > 0


def test_confidence_interval_arithmetic() -> None:
    assert t_quantile(4) == 2.776
    assert t_quantile(29) == pytest.approx(2.045, abs=0.002)
    e = estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    assert e.mean == 3.0
    assert e.high - e.mean == pytest.approx(2.776 * np.std([1, 2, 3, 4, 5], ddof=1) / np.sqrt(5))
