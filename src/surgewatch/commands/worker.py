"""``surgewatch worker``: the task queue's consumer (huey).

Runs the clocks: level checks, deadlines, reminders, escalations and
notification delivery with retries. Uses the same settings as the web app,
so the queue is SQLite under var/ by default and Redis when REDIS_URL is set.
"""

from __future__ import annotations

import argparse
from typing import Any

from surgewatch.commands.demo import migrate, setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker", help="run background work: deadlines, reminders, notifications"
    )
    parser.add_argument("--workers", type=int, default=2, help="worker threads")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup_django()
    migrate()
    from django.core.management import call_command

    call_command("run_huey", workers=args.workers, worker_type="thread")
    return 0
