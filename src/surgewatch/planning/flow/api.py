"""What the CLI and the web call: run a scenario file, or compare two on the same streams."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from surgewatch.planning.flow.inputs import FlowInputs, compile_inputs
from surgewatch.planning.flow.loading import LoadedScenario, load_scenario, parse_scenario
from surgewatch.planning.flow.opel import OpelForecast, predict_opel
from surgewatch.planning.flow.run import (
    Estimate,
    FlowResult,
    Progress,
    compare,
    estimate,
    simulate,
    summarise,
)
from surgewatch.planning.loading import PlanError, Problem

OPEL_DAYS = "days_at_opel_3_or_4"


@dataclass(frozen=True)
class FlowReport:
    """One scenario's run: the raw series, headline estimates and predicted OPEL."""

    scenario: LoadedScenario
    result: FlowResult
    summary: dict[str, Estimate]
    opel: OpelForecast | None


@dataclass(frozen=True)
class ComparisonReport:
    """Two scenarios on the same random streams; ``differences`` are B - A."""

    a: FlowReport
    b: FlowReport
    differences: dict[str, Estimate]


def _report(loaded: LoadedScenario, result: FlowResult) -> FlowReport:
    escalation = loaded.scenario.escalation
    opel = (
        predict_opel(result, loaded.pack, escalation)
        if escalation is not None and loaded.pack is not None
        else None
    )
    summary = summarise(result)
    if opel is not None:
        summary[OPEL_DAYS] = estimate(opel_days(opel))
    return FlowReport(loaded, result, summary, opel)


def opel_days(opel: OpelForecast) -> NDArray[np.float64]:
    """Days each replication spends at a predicted OPEL 3 or 4."""
    return np.asarray((opel.organisation >= 3).sum(axis=1), dtype=np.float64)


def inputs_from_data(data: dict[str, Any], where: Path = Path("scenario.yaml")) -> FlowInputs:
    """Check and compile a scenario given as data (built in code, or from a form).

    ``where`` names it in problems; a relative ``plan`` or ``extends`` resolves beside it.
    """
    return compile_inputs(parse_scenario(data, where))


def run_file(
    path: str | Path,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> FlowReport:
    """Load, check and simulate a scenario file (raises PlanError naming file, path and fix)."""
    return run_loaded(load_scenario(path), replications, seed, workers, progress)


def run_loaded(
    loaded: LoadedScenario,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> FlowReport:
    """Simulate a scenario already loaded (the web loads stored text, not a file)."""
    result = simulate(compile_inputs(loaded), replications, seed, workers, progress)
    return _report(loaded, result)


def compare_files(
    path_a: str | Path,
    path_b: str | Path,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ComparisonReport:
    """Run scenario B against A with common random numbers; paired differences B - A."""
    return compare_loaded(
        load_scenario(path_a), load_scenario(path_b), replications, seed, workers, progress
    )


def compare_loaded(
    a: LoadedScenario,
    b: LoadedScenario,
    replications: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ComparisonReport:
    """Two loaded scenarios on common random numbers; ``progress`` counts both runs."""
    inputs_a, inputs_b = compile_inputs(a), compile_inputs(b)
    try:
        comparison = compare(inputs_a, inputs_b, replications, seed, workers, progress)
    except PlanError as exc:  # name the file the analyst gave as B
        raise PlanError([Problem(b.file, p.path, p.message) for p in exc.problems]) from None
    ra, rb = _report(a, comparison.a), _report(b, comparison.b)
    differences = dict(comparison.differences)
    if ra.opel is not None and rb.opel is not None:  # paired by replication, like the rest
        differences[OPEL_DAYS] = estimate(opel_days(rb.opel) - opel_days(ra.opel))
    return ComparisonReport(ra, rb, differences)
