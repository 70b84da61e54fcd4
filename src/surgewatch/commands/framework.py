"""``surgewatch framework list | show ID | validate PATH``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from surgewatch.core.loader import PackError, bundled_pack_ids, load_pack
from surgewatch.core.pack import AreaStatus, Pack


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("framework", help="list, show and validate framework packs")
    actions = parser.add_subparsers(dest="framework_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="list bundled packs").set_defaults(handler=list_packs)
    show = actions.add_parser("show", help="show a pack's indicators and bands")
    show.add_argument("pack", help="bundled pack id or path to a pack file")
    show.set_defaults(handler=show_pack)
    validate = actions.add_parser("validate", help="check a pack file and report every problem")
    validate.add_argument("path", help="path to a pack file (or a bundled id)")
    validate.set_defaults(handler=validate_pack)


def list_packs(_args: argparse.Namespace) -> int:
    for pack_id in bundled_pack_ids():
        pack = load_pack(pack_id)
        label = " [illustrative]" if pack.illustrative else ""
        print(f"{pack.id}\tv{pack.version}\t{pack.name}{label}")
    return 0


def show_pack(args: argparse.Namespace) -> int:
    pack = _load_or_report(args.pack)
    if pack is None:
        return 2
    console = Console()
    console.print(f"[bold]{pack.name}[/bold] ({pack.id} v{pack.version})\n{pack.source}")
    if pack.illustrative:
        console.print(f"[yellow]ILLUSTRATIVE: {pack.illustrative_note}[/yellow]")
    console.print(_bands_table(pack))
    console.print(
        f"Roles: {len(pack.roles)}; protocols: {len(pack.protocols)}; "
        f"checklist items: {len(pack.deescalation_checklist)}"
    )
    return 0


def _bands_table(pack: Pack) -> Table:
    table = Table(
        "indicator", "direction", *pack.area_ids, title="Trigger bands (OPEL 1 / 2 / 3 / 4)"
    )
    for ind in pack.indicators:
        cells = [_area_text(ind.areas.get(area)) for area in pack.area_ids]
        table.add_row(f"{ind.id}\n{ind.unit}", ind.direction.value.replace("_", " "), *cells)
    return table


def _area_text(rule: object) -> str:
    if rule is None:
        return "-"
    if isinstance(rule, AreaStatus):
        return rule.value.replace("_", " ")
    assert isinstance(rule, dict)
    return "\n".join(f"{lvl}: {_num(lo)}-{_num(hi)}" for lvl, (lo, hi) in sorted(rule.items()))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def validate_pack(args: argparse.Namespace) -> int:
    pack = _load_or_report(args.path)
    if pack is None:
        return 2
    print(
        f"{args.path}: valid pack '{pack.id}' v{pack.version} with {len(pack.indicators)} "
        f"indicators, {len(pack.roles)} roles"
    )
    return 0


def _load_or_report(source: str) -> Pack | None:
    try:
        return load_pack(source)
    except PackError as exc:
        print(f"{len(exc.problems)} problem(s) in the pack:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None
