"""The ``surgewatch`` command: one entry point, one module per command group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from surgewatch.web.audit.context import acting_as

# Each module under surgewatch.commands exposes register(subparsers).
COMMAND_MODULES: tuple[str, ...] = ("framework", "assess", "plan", "demo", "serve", "token")
COMMAND_MODULES += ("worker", "sitrep")
COMMAND_MODULES += ("backup",)  # backup and restore (issue 8)
COMMAND_MODULES += ("simulate",)  # patient-flow simulation (issue 6)
COMMAND_MODULES += ("governance",)  # plan governance: history, sign-off, exercise log (issue 7)
COMMAND_MODULES += ("exercise",)  # exercise mode (issue 7)
COMMAND_MODULES += ("purge",)  # retention of patient-level records (issue 7)
COMMAND_MODULES += ("selfassess",)  # HICM and winter roles self-assessment (issue 7)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="surgewatch",
        description="Escalation, surge planning and improvement for health and social care.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(f"surgewatch.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    with acting_as(f"command:{args.command}"):  # what a command writes is on the audit log as it
        code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
