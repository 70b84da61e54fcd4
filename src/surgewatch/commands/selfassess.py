"""``surgewatch selfassess list | show ID | validate PATH | score ID RATINGS.csv``.

Self-assessment frameworks (issue 7): the High Impact Change Model (seed 003) and NHS
England's winter roles (seed 004). ``score`` reads a CSV with columns
``criterion,level`` and prints the maturity per change, and with ``--previous`` what
moved since then.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from surgewatch.improvement.frameworks import (
    Framework,
    FrameworkError,
    bundled_framework_ids,
    load_framework,
)
from surgewatch.improvement.maturity import RatingError, compare, score


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "selfassess", help="HICM and winter roles self-assessment frameworks"
    )
    actions = parser.add_subparsers(dest="selfassess_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="list bundled frameworks").set_defaults(handler=list_all)
    show = actions.add_parser("show", help="show a framework's changes and criteria")
    show.add_argument("framework", help="bundled id or path to a framework file")
    show.set_defaults(handler=show_one)
    validate = actions.add_parser("validate", help="check a framework file, every problem")
    validate.add_argument("path", help="path to a framework file (or a bundled id)")
    validate.set_defaults(handler=validate_one)
    scoring = actions.add_parser("score", help="maturity per change from a ratings CSV")
    scoring.add_argument("framework", help="bundled id or path to a framework file")
    scoring.add_argument("ratings", type=Path, help="CSV with columns criterion,level")
    scoring.add_argument("--previous", type=Path, help="the previous assessment's CSV")
    scoring.set_defaults(handler=score_one)


def list_all(_args: argparse.Namespace) -> int:
    for framework_id in bundled_framework_ids():
        framework = load_framework(framework_id).framework
        criteria = len(framework.all_criteria())
        print(f"{framework.id}\t{framework.edition}\t{len(framework.groups)} groups, "
              f"{criteria} criteria\t{framework.name}")  # fmt: skip
    return 0


def _load(source: str) -> Framework | None:
    try:
        return load_framework(source).framework
    except FrameworkError as problems:
        for problem in problems.problems:
            print(problem, file=sys.stderr)
        return None


def show_one(args: argparse.Namespace) -> int:
    framework = _load(args.framework)
    if framework is None:
        return 2
    print(f"{framework.name} ({framework.edition})\n{framework.source}")
    print("Scale: " + ", ".join(f"{lv.value} {lv.name}" for lv in framework.scale.levels))
    for group in framework.groups:
        print(f"\n{group.number}. {group.title}")
        for criterion in group.criteria:
            print(f"   {criterion.id}: {criterion.label}")
    return 0


def validate_one(args: argparse.Namespace) -> int:
    framework = _load(args.path)
    if framework is None:
        return 2
    print(f"{args.path}: valid framework '{framework.id}' with {len(framework.groups)} groups "
          f"and {len(framework.all_criteria())} criteria")  # fmt: skip
    return 0


def score_one(args: argparse.Namespace) -> int:
    framework = _load(args.framework)
    if framework is None:
        return 2
    try:
        now = _ratings(args.ratings)
        before = _ratings(args.previous) if args.previous else None
        results = score(framework, now)
        comparison = compare(framework, now, before)
    except RatingError as refused:
        for problem in refused.problems:
            print(f"{args.ratings}: {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as problem:
        print(f"{problem}", file=sys.stderr)
        return 2
    print(f"{framework.group_label}\trated\tmean\tlowest\tprevious\tchange")
    for result, change in zip(results, comparison.groups, strict=True):
        print("\t".join([f"{result.group.number}. {result.group.title}",
                         f"{result.rated}/{result.total}", _figure(result.mean),
                         _figure(result.lowest), _figure(change.before),
                         str(change.movement)]))  # fmt: skip
    return 0


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def _ratings(path: Path) -> dict[str, int]:
    """``criterion,level`` rows; a bad row names the file and its line."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ratings: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        level = (row.get("level") or "").strip()
        if not level.isdigit():
            raise ValueError(f"{path}: line {line}: level '{level}' is not a whole number; "
                             "fix: write the level's number, 1 for the first")  # fmt: skip
        ratings[(row.get("criterion") or "").strip()] = int(level)
    return ratings
