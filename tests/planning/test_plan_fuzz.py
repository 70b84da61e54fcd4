"""Invalid planning files never crash the loader (issue 8, 'Bad input').

Rule under test (DESIGN.md 'Planning maths': every assumption is a parameter;
plan files are validated like packs, issue 5): a plan, cost, demand or risk
file that is wrong in any way is refused with PlanError, every problem naming
the file and the path inside it. Hypothesis mutates the shipped example files
(deletes keys, swaps in values of the wrong type, pushes numbers out of
range, duplicates list entries) and writes garbage YAML. A file that still
loads must also run: the loader, not the maths, is where bad input stops.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from surgewatch.planning.costs import CostPlan, cost_plan
from surgewatch.planning.demand import DemandPlan, forecast_demand
from surgewatch.planning.gap import analyse_gap
from surgewatch.planning.loading import PlanError, parse_plan_model
from surgewatch.planning.plan import Plan
from surgewatch.planning.risks import Register, assess_register

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
FILENAME = "mutated-plan.yaml"
Key = str | int
Where = tuple[Key, ...]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([-1, 0, 0.5, 13, 101, -1e9, 1e308, 10**30, math.inf, -math.inf, math.nan]),
    st.sampled_from(["", "x" * 300, "2024-13", "2024-02-30", "1,000", "£5", "null", "1e5"]),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.sampled_from(["id", "x", "1"]), st.integers(0, 3), max_size=2),
)


def _run(model: BaseModel) -> None:
    """What the command line does with each kind of file once it has loaded."""
    if isinstance(model, Plan):
        analyse_gap(model)
    elif isinstance(model, CostPlan):
        cost_plan(model)
    elif isinstance(model, DemandPlan):
        forecast_demand(model)
    elif isinstance(model, Register):
        assess_register(model, dt.date(2025, 2, 1))


FILES: dict[str, type[BaseModel]] = {
    "ssot-2024-25-rsuh-medical.yaml": Plan,
    "illustrative-rsuh-medical-demand.yaml": Plan,
    "kent-winter-2020-21-costs.yaml": CostPlan,
    "kent-demand-illustrative.yaml": DemandPlan,
    "ssot-2024-25-risks.yaml": Register,
}


def _shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text())
    return data


def _places(node: Any, prefix: Where = ()) -> list[Where]:
    """Every key and list index in the document, parents before children."""
    if isinstance(node, dict):
        children: list[tuple[Key, Any]] = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        children = []
    found: list[Where] = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(_places(child, (*prefix, key)))
    return found


def _parent(document: Any, where: Where) -> Any:
    for key in where[:-1]:
        document = document[key]
    return document


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """One to three edits at random places: delete, replace with an odd value, or duplicate."""
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        places = _places(data)
        if not places:
            break
        where = draw(st.sampled_from(places))
        parent, key = _parent(data, where), where[-1]
        value = parent[key]
        edit = draw(st.sampled_from(["delete", "replace", "duplicate", "swap-type"]))
        if edit == "delete":
            del parent[key]
        elif edit == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(value))
        elif edit == "swap-type":
            parent[key] = [value] if isinstance(value, str) else str(value)
        else:
            parent[key] = draw(ODD_VALUES)
    return data


def _dump(document: Any) -> str:
    """YAML as an author would write it; Decimal (from an edit) as its text."""
    return yaml.safe_dump(_plain(document), allow_unicode=True)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return str(node) if isinstance(node, Decimal) else node


def assert_loads_or_names_the_path(model: type[BaseModel], text: str) -> None:
    """The loader's only failure is PlanError, each problem naming the file and a place."""
    try:
        loaded = parse_plan_model(model, text, FILENAME)
    except PlanError as refused:
        assert refused.problems
        for problem in refused.problems:
            assert problem.file == FILENAME
            whole_file = "top level" in problem.message or "nested" in problem.message
            assert problem.path or whole_file, str(problem)
            assert problem.message.strip()
        return
    _run(loaded)


@pytest.mark.parametrize("name", sorted(FILES))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_plan_files_load_or_name_every_problem(name: str, data: st.DataObject) -> None:
    document = data.draw(mutated(_shipped(name)))
    assert_loads_or_names_the_path(FILES[name], _dump(document))


@pytest.mark.parametrize("model", [Plan, CostPlan, DemandPlan, Register])
@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_garbage_text_is_refused_with_where(model: type[BaseModel], text: str) -> None:
    assert_loads_or_names_the_path(model, text)


@settings(max_examples=60, deadline=None)
@given(
    cut=st.integers(0, 3000),
    junk=st.sampled_from(["\t", ": :", "- [", "{", "&a *a", "!!python/object:os.system", "\x07"]),
)
def test_damaged_yaml_is_refused_with_the_line(cut: int, junk: str) -> None:
    text = (EXAMPLES / "ssot-2024-25-rsuh-medical.yaml").read_text()
    assert_loads_or_names_the_path(Plan, text[:cut] + junk + text[cut:])


def test_a_control_character_is_placed_by_line_and_column() -> None:
    with pytest.raises(PlanError) as refused:
        parse_plan_model(Plan, "name: ok\nsites: [a\x07]\n", FILENAME)
    [problem] = refused.value.problems
    assert problem.path == "line 2, column 10"
    assert "unacceptable character #x0007" in problem.message
