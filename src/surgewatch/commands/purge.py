"""``surgewatch purge [--dry-run]``: delete closed patient-level records past retention.

Issue 7, 'Security': closed records (wash-up cases, and those of any app that lists
its purge in ``settings.PATIENT_RECORD_PURGES``) are deleted once
``PATIENT_RECORD_RETENTION_DAYS`` (default 365) have passed since they closed. The
worker runs the same purges daily; this command runs them now, or with ``--dry-run``
only counts. Each deletion is on the audit log as 'command:purge'.
"""

from __future__ import annotations

import argparse
from typing import Any

from surgewatch.commands.demo import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "purge", help="delete closed patient-level records older than the retention period"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
    )
    parser.add_argument("--database-url", help="database (default: DATABASE_URL, else var/ SQLite)")
    parser.set_defaults(handler=run_purge)


def run_purge(args: argparse.Namespace) -> int:
    setup_django(args.database_url)
    from django.conf import settings
    from django.utils import timezone

    from surgewatch.web.washup.retention import run_purges

    days = settings.PATIENT_RECORD_RETENTION_DAYS
    verb = "would delete" if args.dry_run else "deleted"
    for done in run_purges(timezone.now(), dry_run=args.dry_run):
        print(f"{done.what}: {verb} {done.count} closed more than {days} days ago")
    return 0
