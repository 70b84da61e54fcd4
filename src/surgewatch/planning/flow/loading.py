"""Load a flow scenario with its plan and pack, reporting every problem at once.

Problems name the file, the path inside it and a fix, as plan files and
packs do (:mod:`surgewatch.core.documents`). ``extends: base.yaml`` starts
from another scenario: each top-level key given here replaces the base's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from surgewatch.core.documents import read_yaml, validation_problems
from surgewatch.core.loader import PackError, load_pack
from surgewatch.core.pack import Pack
from surgewatch.planning.flow.checks import pack_problems, plan_problems, scenario_problems
from surgewatch.planning.flow.scenario import Scenario
from surgewatch.planning.loading import PLAN_FIXES, PlanError, Problem
from surgewatch.planning.plan import Division, Plan, load_plan

MAX_EXTENDS = 5


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the plan division and pack it refers to."""

    scenario: Scenario
    file: str
    plan: Plan | None = None
    division: Division | None = None
    pack: Pack | None = None


def load_scenario(source: str | Path) -> LoadedScenario:
    """Read and check a scenario file; raise :class:`PlanError` listing every problem."""
    path = Path(source)
    data = _read_with_base(path, 0)
    return parse_scenario(data, path)


def load_scenario_text(text: str, path: Path) -> LoadedScenario:
    """A scenario given as text (an upload) as if it were the file ``path``.

    ``plan``, ``extends`` and a pack file resolve beside ``path``.
    """
    data = read_yaml(text, str(path), PlanError)
    return parse_scenario(_with_base(data, path, 0), path)


def parse_scenario(data: dict[str, Any], path: Path) -> LoadedScenario:
    """Validate scenario ``data`` read from ``path`` (relative references resolve beside it)."""
    filename = str(path)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise PlanError(validation_problems(exc, filename, data, PLAN_FIXES)) from None
    problems = scenario_problems(scenario)
    plan, division = _plan_for(scenario, path, problems)
    pack = _pack_for(scenario, path, problems)
    if problems:
        raise PlanError([_problem(filename, p) for p in problems])
    return LoadedScenario(scenario, filename, plan, division, pack)


def _problem(filename: str, line: str) -> Problem:
    head, sep, rest = line.partition(": ")
    if sep and " " not in head:
        return Problem(filename, head, rest)
    return Problem(filename, "", line)


def _read_with_base(path: Path, depth: int) -> dict[str, Any]:
    if not path.is_file():
        raise PlanError([Problem(str(path), "", "no such file; fix: check the path")])
    data = read_yaml(path.read_text(encoding="utf-8"), str(path), PlanError)
    return _with_base(data, path, depth)


def _with_base(data: dict[str, Any], path: Path, depth: int) -> dict[str, Any]:
    base = data.pop("extends", None)
    if base is None:
        return data
    if depth >= MAX_EXTENDS or not isinstance(base, str):
        raise PlanError(
            [Problem(str(path), "extends", "must name one scenario file, at most 5 deep; fix it")]
        )
    return {**_read_with_base(path.parent / base, depth + 1), **data}


def _plan_for(
    scenario: Scenario, path: Path, problems: list[str]
) -> tuple[Plan | None, Division | None]:
    if scenario.plan is None:
        return None, None
    plan_path = path.parent / scenario.plan
    if not plan_path.is_file():
        problems.append(f"plan: no plan file at {plan_path}; fix: give a path from this file")
        return None, None
    plan = load_plan(plan_path)  # its own problems name the plan file
    division, found = _division(plan, scenario)
    problems.extend(found)
    if division is not None:
        problems.extend(plan_problems(scenario, plan, division))
    return plan, division


def _division(plan: Plan, scenario: Scenario) -> tuple[Division | None, list[str]]:
    pairs = plan.divisions()
    chosen = [
        d
        for site, d in pairs
        if scenario.site in (None, site.name) and scenario.division in (None, d.name)
    ]
    if len(chosen) == 1:
        return chosen[0], []
    names = ", ".join(f"{s.name}/{d.name}" for s, d in pairs)
    return None, [
        f"division: {len(chosen)} plan divisions match; "
        f"fix: set 'site' and 'division' to one of {names}"
    ]


def _pack_for(scenario: Scenario, path: Path, problems: list[str]) -> Pack | None:
    if scenario.escalation is None:
        return None
    source = scenario.escalation.pack
    if source.endswith((".yaml", ".yml")):
        source = str(path.parent / source)
    try:
        pack = load_pack(source)
    except PackError as exc:
        problems.extend(f"escalation.pack: {p}" for p in exc.problems)
        return None
    problems.extend(pack_problems(scenario, pack))
    return pack
