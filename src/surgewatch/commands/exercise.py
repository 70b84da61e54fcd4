"""``surgewatch exercise``: replay a scripted scenario through a plan's rules (issue 7).

The run is in memory at simulated time: no database, no clock, nothing sent.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from surgewatch.exercise.events import ExerciseResult, local_text
from surgewatch.exercise.script import ScriptError, level_text


def register(subparsers: Any) -> None:
    """Add the ``exercise`` command."""
    parser = subparsers.add_parser(
        "exercise",
        help="run an exercise script (or a flow simulation) through the plan's rules; "
        "nothing is stored or sent",
    )
    parser.add_argument("script", type=Path, nargs="?", metavar="SCRIPT.yaml")
    parser.add_argument(
        "--from-simulation",
        type=Path,
        metavar="SCENARIO.yaml",
        help="instead of a script: simulate one replication of a flow scenario and replay "
        "its daily indicators (the scenario's escalation block maps them)",
    )
    parser.add_argument("--seed", type=int, default=1, help="simulation master seed (default 1)")
    parser.add_argument(
        "--replication", type=_positive_int, default=1, help="replication to replay (default 1)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=_exercise)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _exercise(args: argparse.Namespace) -> int:
    from surgewatch.exercise.runner import run_exercise

    if (args.script is None) == (args.from_simulation is None):
        print("error: give SCRIPT.yaml or --from-simulation SCENARIO.yaml (one of them)",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        result = run_exercise(_load(args))
    except ScriptError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(result.as_json(), indent=2))
    else:
        _table(result)
    return 0


def _load(args: argparse.Namespace) -> Any:
    if args.script is not None:
        from surgewatch.exercise.script import load_script

        return load_script(args.script)
    from surgewatch.exercise.simulation import script_from_simulation

    return script_from_simulation(args.from_simulation, args.seed, args.replication)


def _table(result: ExerciseResult) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(result.timezone)
    console = Console(file=sys.stdout, width=160, highlight=False)
    console.print(f"{result.title}: pack {result.pack_id} v{result.pack_version}")
    console.print(f"{local_text(result.starts_at, tz)} to {local_text(result.ends_at, tz)}")
    table = Table("When (UK time)", "Event", "Area", "Role", "Level", "What", "Channel")
    for e in result.events:
        level = f"{level_text(e.level)} ({e.colour})" if e.level else (e.colour or "")
        table.add_row(
            local_text(e.at, tz), str(e.kind), e.area or "organisation", e.role or "",
            level, e.text, e.channel or "",
        )  # fmt: skip
    console.print(table)
    console.print(", ".join(f"{k}: {v}" for k, v in result.summary().items()))
    console.print("Exercise mode: nothing was stored and no message was sent.")
    if result.illustrative:
        console.print("ILLUSTRATIVE: the script's figures are invented, not observed.")
