"""The SitRep as CSV: one block per section, one after another (issue 4).

Each block has its own header row, and every row starts with the section's
name ('levels', 'indicators', 'actions', ...), so a spreadsheet filter on the
first column shows one section, and a program reads a section by splitting
the file at its empty rows (or by the first column). Times are ISO 8601 in
UK time with their UTC offset, so they are unambiguous across clock changes.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from surgewatch.web.sitrep.records import SitRep
from surgewatch.web.sitrep.tables import Table, Value, sitrep_tables
from surgewatch.web.sitrep.words import number

SECTION = "section"


def render_csv(sitrep: SitRep) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    zone = ZoneInfo(sitrep.timezone)
    for n, table in enumerate(sitrep_tables(sitrep)):
        if n:
            writer.writerow([])
        writer.writerows(_rows(table, zone))
    return out.getvalue()


def _rows(table: Table, zone: ZoneInfo) -> list[list[str]]:
    header = [SECTION, *table.header]
    return [header, *([table.name, *(_text(v, zone) for v in row.values)] for row in table.rows)]


def _text(value: Value, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="minutes")
    if isinstance(value, float):
        return number(value)
    return str(value)
