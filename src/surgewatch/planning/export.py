"""Write planning results as xlsx: the gap table laid out as seed 002 prints it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook

from surgewatch.planning.gap import GapResult
from surgewatch.planning.months import label


def gap_rows(result: GapResult) -> list[list[str | float]]:
    """Header, gap, one row per scheme, mitigation and residual."""
    rows: list[list[str | float]] = [["", "Provider", "Unit", *map(label, result.months)]]
    rows.append(["Gap before mitigation", "", "", *result.gap])
    for scheme in result.schemes:
        rows.append([scheme.name, scheme.provider, scheme.unit, *scheme.acute_equivalent])
    rows.append(["Total mitigation", "", "acute", *result.mitigation])
    rows.append(["Residual", "", "acute", *result.residual])
    return rows


def write_gap_xlsx(result: GapResult, path: Path) -> None:
    """Save the gap table to ``path``; nothing is left behind if writing fails."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Gap"
    for row in gap_rows(result):
        sheet.append(row)
    sheet.append([])
    sheet.append([result.rounding_note])
    sheet.append(["Sign: negative gap or residual is a deficit of beds."])
    save_atomically(book, path)


def save_atomically(book: Workbook, path: Path) -> None:
    """Write beside ``path`` and move into place, so a failed write leaves nothing behind."""
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=path.parent or Path("."))
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
