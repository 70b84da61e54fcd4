"""The SitRep as an Excel workbook: one sheet per section (issue 4).

Each sheet has a bold header row and one row per item
(:mod:`surgewatch.web.sitrep.tables`). Levels are numbers and colours words,
and the level and colour cells are also filled with the level's colour, so
colour is never the only cue (DESIGN.md). Excel stores times without a zone:
they are written as UK wall-clock time, and the headers say so.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from surgewatch.web.sitrep.records import SitRep
from surgewatch.web.sitrep.tables import Row, Table, Value, sitrep_tables
from surgewatch.web.sitrep.words import naive_local

BOLD = Font(bold=True)
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# The status board's level colours (surgewatch.css), with text that stays readable on them.
FILLS = {1: "FF007F3B", 2: "FFFFB81C", 3: "FFD5281B", 4: "FF212B32"}
TEXT = {1: "FFFFFFFF", 2: "FF212B32", 3: "FFFFFFFF", 4: "FFFFFFFF"}


def render_xlsx(sitrep: SitRep) -> bytes:
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    zone = ZoneInfo(sitrep.timezone)
    for table in sitrep_tables(sitrep):
        _write(book.create_sheet(table.title), table, zone)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write(sheet: Worksheet, table: Table, zone: ZoneInfo) -> None:
    sheet.append(list(table.header))
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.freeze_panes = "A2"
    for row in table.rows:
        _append(sheet, row, zone)
    for number, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width


def _append(sheet: Worksheet, row: Row, zone: ZoneInfo) -> None:
    sheet.append([_cell_value(v, zone) for v in row.values])
    cells = sheet[sheet.max_row]
    for cell in cells:
        if isinstance(cell.value, datetime):
            cell.number_format = TIME_FORMAT
    if row.level in FILLS:
        for column in row.fill:
            cells[column].fill = PatternFill("solid", fgColor=FILLS[row.level])
            cells[column].font = Font(color=TEXT[row.level])


def _cell_value(value: Value, zone: ZoneInfo) -> Value:
    return naive_local(value, zone) if isinstance(value, datetime) else value
