"""``surgewatch serve [--host 127.0.0.1] [--port 8000] [--workers 2] [--demo]``.

Migrates, seeds demonstration data when asked and the database is empty,
prints the address and the demo logins, then hands the process to gunicorn.
Development settings (SQLite under var/) unless DJANGO_SETTINGS_MODULE says
otherwise; with production settings static files are collected first, so
WhiteNoise serves them from STATIC_ROOT.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from typing import Any

from surgewatch.commands.demo import (
    database_label,
    demo_logins_exist,
    load_demo,
    migrate,
    print_logins,
    setup_django,
)

WSGI_APP = "surgewatch.web.wsgi:application"
DEMO_DAYS, DEMO_SEED = 90, 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="run the web app (migrates the database first)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--demo", action="store_true", help="load demonstration data if the database has none"
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the background worker (run `surgewatch worker` yourself)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    problem = _port_problem(args.host, args.port)
    if problem is None:
        setup_django()
        problem = _demo_problem(args.demo)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from django.conf import settings

    if not settings.DEBUG:
        _collect_static()
    migrate()
    if args.demo:
        _seed_if_empty()
    _announce(args.host, args.port)
    if not args.no_worker:
        _start_worker(args.host, args.port)
    return _serve(args.host, args.port, args.workers)


def _port_problem(host: str, port: int) -> str | None:
    if _port_free(host, port):
        return None
    return f"{host}:{port} is already in use; fix: stop what listens there or use --port"


def _demo_problem(demo: bool) -> str | None:
    from django.conf import settings

    if not demo or settings.DEBUG:
        return None
    return (
        "--demo creates logins with a published password, a superuser among them, so "
        "production settings refuse it. Fix: drop --demo, or load the data on purpose "
        "with `surgewatch demo`."
    )


def _port_free(host: str, port: int) -> bool:
    """Checked before the database work, so a busy port fails at once with a clear message."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def _seed_if_empty() -> None:
    from surgewatch.web.reporting.models import Reading

    if Reading.objects.exists():
        print(f"{database_label()} already holds data: demonstration data not loaded again.")
    else:
        load_demo(DEMO_DAYS, DEMO_SEED, show_logins=False)  # _announce prints them


def _announce(host: str, port: int) -> None:
    if demo_logins_exist():
        print_logins()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    print(f"\nSurgewatch on http://{_bindable(shown)}:{port}/  (Ctrl-C stops it)\n", flush=True)


def _start_worker(host: str, port: int) -> None:
    """The clocks (deadlines, reminders, notifications) run beside the web app.

    A child process: Ctrl-C reaches the whole foreground group, so both stop.
    Links in its messages point at this server unless SITE_URL says otherwise.
    """
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    env = {"SITE_URL": f"http://{_bindable(shown)}:{port}", **os.environ}
    subprocess.Popen([sys.executable, "-m", "surgewatch.cli", "worker"], env=env)
    print("Background worker started (surgewatch worker).", flush=True)


def _bindable(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _serve(host: str, port: int, workers: int) -> int:
    """Replace this process with gunicorn (or Django's server where gunicorn cannot run)."""
    from django.db import connections

    connections.close_all()  # the workers open their own
    address = f"{_bindable(host)}:{port}"
    if os.name == "nt":  # gunicorn needs a POSIX system
        from django.core.management import call_command

        call_command("runserver", address, use_reloader=False)
        return 0
    argv = [sys.executable, "-m", "gunicorn", WSGI_APP, "--bind", address]
    argv += ["--workers", str(workers), "--access-logfile", "-"]
    os.execv(sys.executable, argv)
