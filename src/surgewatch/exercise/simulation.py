"""An exercise from a patient-flow simulation run (issue 6): one replication's daily
indicators, read at the scenario's census hour, replayed through the live rules.

The route is the flow model's own predicted-OPEL route: the scenario's
``escalation`` block maps model measures to pack indicators and areas, and
:func:`surgewatch.planning.flow.opel.feed_values` gives the readings. Where the
forecast summarises the levels by day, the exercise replays them at simulated
time, so the actions, deadlines and notifications of each day show too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from surgewatch.core.documents import Problem
from surgewatch.core.loader import PackError
from surgewatch.exercise.script import (
    LONDON,
    ExerciseScript,
    LoadedScript,
    Moment,
    ScriptError,
    ScriptReading,
    check_script,
)
from surgewatch.planning.flow.api import run_loaded
from surgewatch.planning.flow.loading import load_scenario
from surgewatch.planning.flow.opel import feed_values
from surgewatch.planning.loading import PlanError


def script_from_simulation(path: str | Path, seed: int, replication: int = 1) -> LoadedScript:
    """Simulate ``replication`` (1-based) of the scenario with ``seed``; its daily feeds
    become readings at the census hour, UK time. Raises ScriptError naming the file."""
    try:
        loaded = load_scenario(path)
        report = run_loaded(loaded, replication, seed)
    except (PlanError, PackError) as exc:
        raise ScriptError([Problem(p.file, p.path, p.message) for p in exc.problems]) from None
    escalation = loaded.scenario.escalation
    if escalation is None:
        message = "has no escalation block; fix: map its measures to pack indicators"
        raise ScriptError([Problem(str(path), "escalation", message)])
    hour = loaded.scenario.census_hour
    readings = []
    for feed in escalation.indicators:
        values = feed_values(report.result, feed)[replication - 1]
        for day, value in zip(report.result.dates(), values, strict=True):
            at = _local(day, hour)
            readings.append(ScriptReading(at=at, area=feed.area, indicator=feed.indicator,
                                          value=round(float(value), 2)))  # fmt: skip
    script = ExerciseScript(
        title=f"{loaded.scenario.title}: simulated replication {replication}, seed {seed}",
        pack=escalation.pack,
        start=_local(report.result.start, 0),
        illustrative=loaded.scenario.illustrative,
        note="Readings are one replication of a patient-flow simulation, not observed values.",
        source=str(path),
        areas=sorted({f.area for f in escalation.indicators}),
        readings=readings,
    )
    return check_script(script, str(path), Path(path).parent)


def _local(day: dt.date, hour: float) -> Moment:
    minutes = round(hour * 60)
    wall = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)
    return Moment(stamp=wall.astimezone(dt.UTC))
