"""``surgewatch assess --framework ID_OR_PATH READINGS.csv [--format table|json]``."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from surgewatch.core.assess import Assessment, ReadingsError, assess, check_header, parse_rows
from surgewatch.core.loader import PackError, load_pack

# Terminal styles per colour; black cells are shown reversed so they read on dark terminals.
STYLES = {
    "green": "black on green",
    "amber": "black on yellow",
    "red": "white on red",
    "black": "reverse bold",
    "grey": "dim",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("assess", help="assess readings against a framework pack")
    parser.add_argument("readings", help="CSV with columns indicator,area,value[,observed_at]")
    parser.add_argument("--framework", required=True, help="bundled pack id or pack file path")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        pack = load_pack(args.framework)
        result = assess(pack, parse_rows(pack, _read_csv(Path(args.readings))))
    except (PackError, ReadingsError) as exc:
        source = args.readings if isinstance(exc, ReadingsError) else args.framework
        print(f"{source}: refused, nothing assessed:\n{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.readings}: cannot read ({exc.strerror})", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(to_json(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        Console().print(to_table(result))
    return 0


def _read_csv(path: Path) -> list[dict[str, str | None]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        check_header(reader.fieldnames or [])
        return list(reader)


def to_json(result: Assessment) -> dict[str, Any]:
    """The documented JSON shape: framework, results, organisation."""
    pack = result.pack
    return {
        "framework": pack.id,
        "framework_version": pack.version,
        "illustrative": pack.illustrative,
        "results": [
            {
                "indicator": r.reading.indicator,
                "area": r.reading.area,
                "value": r.reading.value,
                "level": r.level,
                "colour": r.colour,
                "status": r.status.value,
                "warnings": list(r.warnings),
            }
            for r in result.results
        ],
        "organisation": {
            "suggested_level": result.organisation.suggested_level,
            "score": result.organisation.score,
            "score_level": result.organisation.score_level,
            "indicator_levels": result.organisation.indicator_levels,
        },
    }


def to_table(result: Assessment) -> Table:
    pack = result.pack
    title = f"{pack.name} v{pack.version}"
    if pack.illustrative:
        title += " [ILLUSTRATIVE thresholds, not national ones]"
    table = Table("indicator", "area", "value", "level", "notes", title=title)
    for r in result.results:
        label = f"OPEL {r.level} {r.colour}" if r.level else "no level"
        table.add_row(
            r.reading.indicator,
            r.reading.area,
            f"{r.reading.value:g}",
            f"[{STYLES[r.colour]}] {label} [/]",
            "; ".join(r.warnings),
        )
    org = result.organisation
    table.caption = f"Suggested organisation level: {org.suggested_level or 'none'}" + (
        f"; score {org.score:.1f} (OPEL {org.score_level})" if org.score is not None else ""
    )
    return table
