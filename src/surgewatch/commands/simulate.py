"""``surgewatch simulate``: the patient-flow simulation of a scenario file (issue 6)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from surgewatch.planning.loading import PlanError


def register(subparsers: Any) -> None:
    """Add the ``simulate`` command."""
    parser = subparsers.add_parser(
        "simulate", help="patient-flow simulation of a scenario, with predicted OPEL levels"
    )
    parser.add_argument("scenario", type=Path, metavar="SCENARIO.yaml")
    parser.add_argument("--replications", type=_positive_int, default=100)
    parser.add_argument("--seed", type=int, default=1, help="master random seed (default 1)")
    parser.add_argument(
        "--compare", type=Path, metavar="OTHER.yaml", help="scenario B, run on the same streams"
    )
    parser.add_argument("--format", choices=("table", "json", "html"), default="table")
    parser.add_argument("--workers", type=_positive_int, default=None, help="processes")
    parser.set_defaults(handler=_simulate)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _simulate(args: argparse.Namespace) -> int:
    from surgewatch.planning.flow import api, report

    try:
        if args.compare is None:
            run = api.run_file(args.scenario, args.replications, args.seed, args.workers)
            _emit(args.format, report.flow_json(run), report.flow_tables(run), run, None)
        else:
            both = api.compare_files(
                args.scenario, args.compare, args.replications, args.seed, args.workers
            )
            tables = report.comparison_tables(both)
            _emit(args.format, report.comparison_json(both), tables, both.b, both)
    except PlanError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


def _emit(fmt: str, data: object, tables: list[Any], run: Any, both: Any) -> None:
    from surgewatch.planning.flow import report

    if fmt == "json":
        print(json.dumps(data, indent=2))
    elif fmt == "html":
        print(report.flow_html(run, both))
    else:
        console = Console(file=sys.stdout, width=160, highlight=False)
        for item in tables:
            console.print(item)
