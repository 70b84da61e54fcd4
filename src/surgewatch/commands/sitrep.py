"""``surgewatch sitrep --organisation SLUG [--date D] --format pdf|xlsx|csv [--output FILE]``.

Issue 4: the daily SitRep from the command line, the same as the web page's
downloads. Today's SitRep is as at now; an earlier day's is as at 10:30 UK time
(after the first assessment). CSV goes to standard output unless ``--output``
names a file; a PDF or XLSX without ``--output`` is written to
``sitrep-SLUG-DATE.EXT`` in the current directory. A bad request (unknown
organisation, a date that is not real or is in the future) says what is wrong
and exits 2; a PDF on a machine without WeasyPrint's libraries exits 1.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surgewatch.commands.demo import setup_django

if TYPE_CHECKING:
    from surgewatch.web.sitrep.records import SitRep

FORMAT_CHOICES = ("pdf", "xlsx", "csv")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sitrep", help="the daily SitRep for an organisation, as PDF, XLSX or CSV"
    )
    parser.add_argument("--organisation", required=True, help="the organisation's slug")
    parser.add_argument("--date", help="the SitRep's date, YYYY-MM-DD (default: today in UK time)")
    parser.add_argument("--format", required=True, choices=FORMAT_CHOICES)
    parser.add_argument("--output", type=Path, help="file to write (CSV: default stdout)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from surgewatch.web.orgs.models import Organisation
    from surgewatch.web.sitrep.builder import sitrep_for_day, sitrep_zone
    from surgewatch.web.sitrep.dates import SitRepDateError, local_today, parse_sitrep_date

    found = Organisation.objects.select_related("framework").filter(slug=args.organisation).first()
    if found is None:
        return _refuse(f"no organisation '{args.organisation}'; fix: use one of {_slugs()}")
    now = timezone.now()
    try:
        day = parse_sitrep_date(args.date, local_today(now, sitrep_zone(found)))
        sitrep = sitrep_for_day(found, day, now)
    except SitRepDateError as problem:
        return _refuse(f"--date {problem}")
    return _write(args, sitrep, day)


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _slugs() -> str:
    from surgewatch.web.orgs.models import Organisation

    slugs = Organisation.objects.order_by("slug").values_list("slug", flat=True)
    return ", ".join(slugs) or "(none installed: run 'surgewatch demo')"


def _write(args: argparse.Namespace, sitrep: SitRep, day: date) -> int:
    from surgewatch.web.sitrep.csv_file import render_csv
    from surgewatch.web.sitrep.outputs import FORMATS, filename
    from surgewatch.web.sitrep.pdf import PdfUnavailableError

    if args.format == "csv" and args.output is None:
        sys.stdout.write(render_csv(sitrep))
        return 0
    output = FORMATS[args.format]
    try:
        body = output.render(sitrep)
    except PdfUnavailableError as missing:
        print(missing, file=sys.stderr)
        return 1
    path = args.output or Path(filename(sitrep.organisation_slug, day, output.extension))
    try:
        path.write_bytes(body)
    except OSError as problem:
        return _refuse(f"cannot write {path}: {problem.strerror}; fix: check the folder exists")
    print(f"wrote the SitRep for {sitrep.organisation} on {day.isoformat()} to {path}")
    return 0
