"""``surgewatch plan``: bed gap, uncertainty, demand, costs, risks and savings from plan files."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from surgewatch.planning import report, tables
from surgewatch.planning.export import save_atomically
from surgewatch.planning.loading import PlanError, Problem

if TYPE_CHECKING:
    from surgewatch.planning.savings import SavingsReport

Handler = Callable[[argparse.Namespace], int]


def register(subparsers: Any) -> None:
    """Add the ``plan`` command and its sub-commands."""
    parser = subparsers.add_parser("plan", help="surge capacity planning from plan files")
    commands = parser.add_subparsers(dest="plan_command", required=True, metavar="SUBCOMMAND")
    _add_gap(commands)
    _add_uncertainty(commands)
    _add_simple(commands, "demand", "demand forecast from usage rates x population", _demand)
    _add_simple(commands, "costs", "costs and funding of staffing and schemes", _costs)
    risks = _add_simple(commands, "risks", "risk register, heat map and overdue reviews", _risks)
    risks.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
    _add_savings(commands)


def _add_gap(commands: Any) -> None:
    parser = commands.add_parser("gap", help="gap, scheme mitigation and residual by month")
    parser.add_argument("plan", type=Path, metavar="PLAN.yaml")
    parser.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
    parser.add_argument("--output", type=Path, help="file to write (required for xlsx)")
    parser.set_defaults(handler=_guarded(_gap))


def _add_uncertainty(commands: Any) -> None:
    parser = commands.add_parser("uncertainty", help="Monte Carlo occupancy and residual gap")
    parser.add_argument("plan", type=Path, metavar="PLAN.yaml")
    parser.add_argument("--replications", type=_positive_int, default=1000)
    parser.add_argument("--seed", type=int, required=True, help="master random seed")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=_guarded(_uncertainty))


def _add_savings(commands: Any) -> None:
    parser = commands.add_parser(
        "savings", help="savings from scheme outcomes (bed days, avoided admissions)"
    )
    parser.add_argument("file", type=Path, metavar="FILE.yaml")
    parser.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
    parser.add_argument("--output", type=Path, help="file to write (required for xlsx)")
    parser.add_argument(
        "--plan", type=Path, metavar="PLAN.yaml", help="check every scheme is one of this plan's"
    )
    parser.set_defaults(handler=_guarded(_savings))


def _add_simple(commands: Any, name: str, help_text: str, handler: Handler) -> Any:
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument("file", type=Path, metavar="FILE.yaml")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=_guarded(handler))
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _guarded(handler: Handler) -> Handler:
    """Report planning errors on stderr with a non-zero exit, never a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except PlanError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1

    return run


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2))


def _show(renderables: list[Any]) -> None:
    console = Console(file=sys.stdout, width=200, highlight=False)
    for item in renderables:
        console.print(item)


def _gap(args: argparse.Namespace) -> int:
    from surgewatch.planning.export import write_gap_xlsx
    from surgewatch.planning.gap import analyse_gap
    from surgewatch.planning.plan import load_plan

    if args.format == "xlsx" and args.output is None:
        print("error: --format xlsx needs --output PATH.xlsx", file=sys.stderr)
        return 2
    result = analyse_gap(load_plan(args.plan))
    if args.format == "json":
        _print_json(report.gap_json(result))
    elif args.format == "xlsx":
        write_gap_xlsx(result, args.output)
        print(f"wrote {args.output}")
    else:
        _show(tables.gap_table(result))
    return 0


def _uncertainty(args: argparse.Namespace) -> int:
    from surgewatch.planning.plan import load_plan
    from surgewatch.planning.uncertainty import run_uncertainty

    plan = load_plan(args.plan)
    try:
        result = run_uncertainty(plan, args.replications, args.seed)
    except PlanError as exc:  # name the file the analyst gave us
        raise PlanError(
            [Problem(str(args.plan), p.path, p.message) for p in exc.problems]
        ) from None
    if args.format == "json":
        _print_json(report.uncertainty_json(result))
    else:
        _show(tables.uncertainty_table(result))
    return 0


def _demand(args: argparse.Namespace) -> int:
    from surgewatch.planning.demand import forecast_demand, load_demand

    result = forecast_demand(load_demand(args.file))
    if args.format == "json":
        _print_json(report.demand_json(result))
    else:
        _show(tables.demand_table(result))
    return 0


def _costs(args: argparse.Namespace) -> int:
    from surgewatch.planning.costs import cost_plan, load_costs

    result = cost_plan(load_costs(args.file))
    if args.format == "json":
        _print_json(report.costs_json(result))
    else:
        _show(tables.costs_table(result))
    return 0


def _risks(args: argparse.Namespace) -> int:
    from surgewatch.planning.risks import assess_register, load_register

    today = args.today or dt.date.today()  # the clock is read here, at the edge, only
    result = assess_register(load_register(args.file), today)
    if args.format == "json":
        _print_json(report.risks_json(result))
    else:
        _show(tables.risks_table(result))
    return 0


def _savings(args: argparse.Namespace) -> int:
    from surgewatch.planning.plan import load_plan
    from surgewatch.planning.savings import (
        calculate_savings,
        load_outcomes,
        savings_json,
        unknown_schemes,
    )

    if args.format == "xlsx" and args.output is None:
        print("error: --format xlsx needs --output PATH.xlsx", file=sys.stderr)
        return 2
    outcomes = load_outcomes(args.file)
    if args.plan is not None:
        names = {scheme.name for scheme in load_plan(args.plan).schemes}
        problems = unknown_schemes(outcomes, names, str(args.file))
        if problems:
            raise PlanError(problems)
    result = calculate_savings(outcomes)
    if args.format == "json":
        _print_json(savings_json(result))
    elif args.format == "xlsx":
        _write_savings_xlsx(result, args.output)
        print(f"wrote {args.output}")
    else:
        _show(_savings_table(result))
    return 0


def _savings_table(result: SavingsReport) -> list[Any]:
    from rich.table import Table

    from surgewatch.planning.savings import SAVINGS_HEADER, savings_rows
    from surgewatch.planning.tables import gbp

    table = Table(title=result.title)
    for heading in SAVINGS_HEADER:
        table.add_column(heading, justify="right" if heading == "Saving" else "left")
    rows = savings_rows(result)
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        # A rule under each outcome: the next row starts another one, or the grand total.
        last = following is None or following[2] == "bed days saved" or following[1] == ""
        table.add_row(*row[:4], gbp(row[4], result.currency), end_section=last)
    costs = result.unit_costs
    notes = [
        f"Unit costs: {gbp(costs.bed_day, result.currency)} per bed day, "
        f"{gbp(costs.admission_avoided, result.currency)} per avoided admission"
        + (f" ({costs.source})." if costs.source else ".")
    ]
    if result.potential_total:
        potential = gbp(result.potential_total, result.currency)
        notes.append(f"Potential savings, not in the total: {potential}.")
    notes += [f"MISMATCH with printed figure: {m}" for m in result.mismatches]
    if not result.mismatches:
        notes.append("Every printed figure reproduces exactly.")
    return [table, *notes]


def _write_savings_xlsx(result: SavingsReport, path: Path) -> None:
    """The table's rows with amounts as numbers, so the workbook can be summed again."""
    from openpyxl import Workbook

    from surgewatch.planning.savings import SAVINGS_HEADER, savings_rows

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Savings"
    sheet.append(SAVINGS_HEADER)
    for *words, amount in savings_rows(result):
        sheet.append(
            [*words, int(amount) if amount == amount.to_integral_value() else float(amount)]
        )
    sheet.append([])
    sheet.append([f"Currency: {result.currency}. Potential savings are not in the total."])
    save_atomically(book, path)
