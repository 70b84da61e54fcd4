"""Bad scenario files fail with every problem named by file, path and fix; nothing runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from surgewatch.planning.flow.loading import load_scenario, load_scenario_text
from surgewatch.planning.loading import PlanError

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
BASE = SCENARIOS / "ssot-base.yaml"


def _base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BASE.read_text())
    data["plan"] = str(SCENARIOS / data["plan"])  # the copy lives in tmp_path
    return data


def _problems(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(PlanError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_example_scenarios_load() -> None:
    for name in ("ssot-base.yaml", "ssot-home-first-1000h.yaml"):
        loaded = load_scenario(SCENARIOS / name)
        assert loaded.pack is not None and loaded.plan is not None
        assert loaded.scenario.illustrative is True


def test_unknown_service_names_pathway_and_choices(tmp_path: Path) -> None:
    data = _base()
    data["pathways"][1]["service"] = "home_frist"
    [problem] = _problems(tmp_path, data)
    assert problem == (
        f"{tmp_path / 'scenario.yaml'}: pathways.1.service: unknown service 'home_frist'; "
        "fix: use one of care_homes, d2a_beds, home_first"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = _base()
    data["services"][0]["hours_per_package_week"] = -10
    data["ward"]["when_full"] = "queue"
    data["schemes"][0]["plan_scheme"] = "Ward 99"
    del data["title"]
    problems = _problems(tmp_path, data)
    assert any("title: Field required; fix: add this key" in p for p in problems)
    assert any("ward.when_full: Input should be 'wait' or 'divert'" in p for p in problems)
    assert any(
        "services.0(home_first).hours_per_package_week: Input should be greater than 0" in p
        for p in problems
    )


def test_plan_scheme_and_months_are_checked_against_the_plan(tmp_path: Path) -> None:
    data = _base()
    data["schemes"][0]["plan_scheme"] = "Ward 99"
    data["schemes"][1]["months"] = ["2025-06"]
    problems = _problems(tmp_path, data)
    assert any(
        "schemes.0(Medical Short Stay).plan_scheme: no scheme 'Ward 99' in the plan; "
        "fix: use one of" in p
        for p in problems
    )
    assert any(
        "schemes.1(Cheadle D2A).months: 2025-06 not in the plan's months; fix:" in p
        for p in problems
    )


def test_pack_indicator_and_area_are_checked(tmp_path: Path) -> None:
    data = _base()
    data["escalation"]["indicators"][2]["area"] = "swale"
    data["escalation"]["indicators"][3]["measure"] = "occupancy"
    problems = _problems(tmp_path, data)
    assert any(
        "escalation.indicators.2(referrals).area: 'swale' is not_monitored, so it has no "
        "bands; fix: use dgs, east-kent, west-kent" in p
        for p in problems
    )
    assert any(
        "escalation.indicators.3(d2a_p1_weekly_availability).service: 'occupancy' is a ward "
        "measure; fix: remove service" in p
        for p in problems
    )


def test_period_outside_the_plan(tmp_path: Path) -> None:
    data = _base()
    data["period"] = {"start": "2025-03-01", "days": 60}
    [problem] = _problems(tmp_path, data)
    assert problem.endswith(
        "period: 2025-04-29 is outside the plan's months (2024-10 to 2025-03); "
        "fix: run within the plan's months"
    )


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_scenario(tmp_path / "nope.yaml")
    assert str(caught.value).endswith("nope.yaml: no such file; fix: check the path")
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n")
    with pytest.raises(PlanError) as caught:
        load_scenario(bad)
    assert "line 2" in str(caught.value) and "fix the syntax" in str(caught.value)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=4, max_size=4).filter(
        lambda shares: abs(sum(shares) - 1) > 1e-6
    )
)
def test_shares_that_do_not_add_up_to_one_are_refused(
    tmp_path_factory: Any, shares: list[float]
) -> None:
    data = _base()
    for pathway, share in zip(data["pathways"], shares, strict=True):
        pathway["share"] = share
    problems = _problems(tmp_path_factory.mktemp("s"), data)
    assert any(
        f": pathways: shares add up to {sum(shares):g}; fix: make them add up to 1" in p
        for p in problems
    )


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=3, allow_nan=False), min_size=7, max_size=7))
def test_weekday_factors_must_average_one(tmp_path_factory: Any, factors: list[float]) -> None:
    data = _base()
    data["arrivals"]["weekday_factors"] = factors
    path = tmp_path_factory.mktemp("w") / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    if abs(sum(factors) / 7 - 1) <= 0.01:
        assert load_scenario(path).scenario.arrivals.weekday_factors == tuple(factors)
        return
    with pytest.raises(PlanError) as caught:
        load_scenario(path)
    [problem] = [str(p) for p in caught.value.problems]
    assert "arrivals.weekday_factors: they average" in problem
    assert "fix: scale them so they average 1" in problem


def test_uploaded_text_resolves_beside_its_path() -> None:
    text = "extends: ssot-base.yaml\ntitle: Uploaded\nseven_day_service: true\n"
    loaded = load_scenario_text(text, SCENARIOS / "uploaded.yaml")
    assert loaded.scenario.title == "Uploaded"
    assert loaded.scenario.seven_day_service is True
    assert loaded.scenario.services[0].name == "home_first"  # from the base


def test_extends_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(PlanError) as caught:
        load_scenario(tmp_path / "a.yaml")
    assert str(caught.value).endswith(
        "extends: must name one scenario file, at most 5 deep; fix it"
    )
