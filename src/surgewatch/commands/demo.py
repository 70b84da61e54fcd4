"""``surgewatch demo [--days 90] [--seed 1] [--database-url URL] [--reset]``.

Installs the bundled packs, migrates and loads demonstration history with a
login per role. Django is set up only when the command runs, so the rest of
the command line stays quick and framework-free.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

DEV_SETTINGS = "surgewatch.web.settings.dev"
SQLITE = "django.db.backends.sqlite3"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="load demonstration data: months of synthetic history and a login per role"
    )
    parser.add_argument("--days", type=_positive_int, default=90, help="days of history")
    parser.add_argument("--seed", type=int, default=1, help="master random seed")
    parser.add_argument(
        "--database-url", help="database to load (default: DATABASE_URL, else var/ SQLite)"
    )
    parser.add_argument(
        "--reset", action="store_true", help="delete the SQLite database file first, then load"
    )
    parser.set_defaults(handler=run)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    setup_django(args.database_url)
    if args.reset and not reset_database():
        return 2
    migrate()
    return 0 if load_demo(args.days, args.seed) else 1


def setup_django(database_url: str | None = None) -> None:
    """Development settings unless DJANGO_SETTINGS_MODULE says otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEV_SETTINGS)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def database_label() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == SQLITE:
        return str(db["NAME"])
    return f"{db['NAME']} on {db.get('HOST') or 'localhost'}"


def reset_database() -> bool:
    """Delete the SQLite file (and its journals); other databases are never wiped from here."""
    from django.db import connection, connections

    db = connection.settings_dict
    name = str(db["NAME"])
    if db["ENGINE"] != SQLITE or name in ("", ":memory:"):
        print(
            f"--reset deletes an SQLite file only; {database_label()} is not one. "
            "Fix: drop and recreate that database yourself, then run surgewatch demo.",
            file=sys.stderr,
        )
        return False
    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(name + suffix).unlink(missing_ok=True)
    print(f"Deleted {name}.")
    return True


def load_demo(days: int, seed: int, *, show_logins: bool = True) -> bool:
    """Seed, then print what was loaded (and the logins); False when data was already there."""
    from django.utils import timezone

    from surgewatch.web.demo.seed import DemoDataExistsError, seed_demo

    print(f"Loading {days} days of demonstration data into {database_label()} ...", flush=True)
    started = time.perf_counter()
    try:
        summary = seed_demo(days=days, seed=seed, now=timezone.now())  # the clock, at the edge
    except DemoDataExistsError as exc:
        print(
            f"{database_label()}: {exc}; demonstration data not loaded again. Fix: "
            "`surgewatch demo --reset` to start afresh, or `surgewatch serve` to use it.",
            file=sys.stderr,
        )
        return False
    print(
        f"Loaded in {time.perf_counter() - started:.1f} s: {summary.readings:,} readings, "
        f"{summary.declarations} declarations, {summary.users} logins (seed {seed})."
    )
    notice = approval_notice()
    if notice:
        print(notice)
    if show_logins:
        print_logins()
    return True


def approval_notice() -> str | None:
    """One line naming the packs put in force from files with no approval in the app, and
    where changes are approved instead (issue 7, plan governance); None when there are none."""
    from django.urls import reverse

    from surgewatch.web.governance.selectors import in_force_without_approval

    unapproved = in_force_without_approval()
    if not unapproved:
        return None
    packs = ", ".join(
        f"{o.framework.pack_id} v{o.framework.version} for {o.slug}" for o in unapproved
    )
    pages = ", ".join(reverse("governance", args=[o.slug]) for o in unapproved)
    return (
        f"In force without an approval recorded in the app (installed from pack files): "
        f"{packs}. To change a pack, propose the new version on its Plan governance page "
        f"({pages}); someone else with a role that declares the level approves it there "
        "before it is put in force."
    )


def print_logins() -> None:
    """The demo logins, what each one does, and the shared password."""
    from surgewatch.web.demo.personas import DEMO_PASSWORD, PERSONAS

    table = Table("login", "role", "does", title="Demo logins", box=box.SIMPLE)
    for persona in PERSONAS:
        roles = sorted({g.role for g in persona.grants})
        table.add_row(persona.username, ", ".join(roles) or "superuser", persona.does)
    console = Console(highlight=False)
    console.print(table)
    console.print(f"Password for every demo login: [bold]{DEMO_PASSWORD}[/bold]")


def demo_logins_exist() -> bool:
    from surgewatch.web.accounts.models import User
    from surgewatch.web.demo.personas import PERSONAS

    names = [p.username for p in PERSONAS]
    return User.objects.filter(username__in=names).count() == len(names)
