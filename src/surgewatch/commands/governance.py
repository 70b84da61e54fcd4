"""``surgewatch governance load-history FILE --organisation SLUG``.

Loads a plan's version table, sign-off schedule or exercise log from a YAML
file (examples/governance/) into an organisation. Loading again changes
nothing; a row already loaded with other content refuses the whole file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from surgewatch.commands.demo import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "governance", help="plan governance: load version tables, sign-off and exercise logs"
    )
    actions = parser.add_subparsers(dest="governance_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "load-history", help="load a version table, sign-off schedule or exercise log (YAML)"
    )
    load.add_argument("file", type=Path, help="a governance history file")
    load.add_argument("--organisation", required=True, help="the organisation's slug")
    load.set_defaults(handler=run_load_history)


def run_load_history(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from surgewatch.exercise.history import HistoryError
    from surgewatch.web.governance.history import load_history_file
    from surgewatch.web.orgs.models import Organisation

    organisation = Organisation.objects.filter(slug=args.organisation).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
        print(
            f"--organisation: no organisation '{args.organisation}'; fix: use one of "
            f"{known or '(none installed: run surgewatch demo or install a pack)'}",
            file=sys.stderr,
        )
        return 2
    if not args.file.is_file():
        print(f"{args.file}: no such file; fix: check the path", file=sys.stderr)
        return 2
    try:
        summary = load_history_file(args.file, organisation, now=timezone.now())
    except HistoryError as refused:
        print(f"{len(refused.problems)} problem(s); nothing was loaded:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    print(
        f"{args.file}: {summary.added} row(s) added, {summary.unchanged} already loaded, "
        f"for {organisation.slug}"
    )
    return 0
