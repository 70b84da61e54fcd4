"""``surgewatch backup PATH`` and ``surgewatch restore PATH --yes``.

A backup is one file plus ``PATH.manifest.json`` (each table's row count and
content hash); a restore replaces every record and checks the result against
the manifest, exiting 1 if any table differs. The work is in
:mod:`surgewatch.web.backup`; this module parses, sets Django up and reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from surgewatch.commands.demo import database_label, setup_django


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup", help="back the database up to a file, with a manifest of counts and hashes"
    )
    backup.add_argument("path", type=Path, help="the backup file to write (must not exist)")
    backup.add_argument("--database-url", help="database (default: DATABASE_URL, else var/ SQLite)")
    backup.set_defaults(handler=run_backup)
    restore = subparsers.add_parser(
        "restore", help="replace every record with a backup's, then check counts and hashes"
    )
    restore.add_argument("path", type=Path, help="a file 'surgewatch backup' wrote")
    restore.add_argument(
        "--database-url", help="database (default: DATABASE_URL, else var/ SQLite)"
    )
    restore.add_argument(
        "--yes", action="store_true", help="confirm: every record in the database is replaced"
    )
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    setup_django(args.database_url)
    from django.utils import timezone

    from surgewatch.web.backup import BackupError, backup, manifest_path

    try:
        done = backup(args.path, now=timezone.now())
    except BackupError as refused:
        print(f"backup refused: {refused}", file=sys.stderr)
        return 2
    print(
        f"Backed up {database_label()} ({done.engine}) to {done.path}: "
        f"{len(done.tables)} tables, {done.records:,} records; "
        f"counts and hashes in {manifest_path(done.path)}."
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    setup_django(args.database_url)
    from surgewatch.web.backup import BackupError, restore

    if not args.yes:
        print(
            f"restore replaces every record in {database_label()}; stop the server and the "
            "worker, then run again with --yes",
            file=sys.stderr,
        )
        return 2
    try:
        done = restore(args.path)
    except BackupError as refused:
        print(f"restore refused: {refused}; the database was not changed", file=sys.stderr)
        return 2
    if done.mismatches:
        print(
            f"Restored {done.path}, but these tables differ from its manifest: "
            f"{', '.join(done.mismatches)}",
            file=sys.stderr,
        )
        return 1
    print(
        f"Restored {database_label()} from {done.path}: {len(done.tables)} tables, "
        f"{done.records:,} records, every count and hash as in the manifest."
    )
    return 0
