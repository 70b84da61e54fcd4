"""Reading an uploaded file of readings: CSV (with or without Excel's BOM) or .xlsx.

Issue 3: people export readings from Excel, so the reader accepts what Excel
saves and turns every cell into the text a CSV would hold, for
:mod:`surgewatch.web.reporting.imports` to check row by row. Whatever makes
the file as a whole unreadable (type, size, encoding, header) is refused here
with one :class:`ImportFileError` saying how to fix it; rows are numbered as
the spreadsheet shows them (the header is row 1). Excel times carry no zone:
they are read as UK wall-clock time (STYLE.md: convert at the edges).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from surgewatch.core import assess as engine
from surgewatch.core.assess import ReadingsError, RowError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# An .xlsx is a zip; refuse one that unpacks to far more than 2 MB of readings could need.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
COLUMNS = ("area", "indicator", "value", "observed_at")
# The command line may leave the time out; a stored reading may not.
WEB_ONLY_COLUMNS = ("observed_at",)
# Excel stores wall-clock times without a zone; people type UK time.
UK = ZoneInfo("Europe/London")

NOT_A_WORKBOOK = (
    "The file is not an Excel workbook that can be read. "
    "Fix: open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8."
)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the person uploading."""


@dataclass(frozen=True)
class SheetRow:
    """One row of the file as text keyed by column, numbered as the spreadsheet shows it.

    ``problems`` are cells that could not be turned into text honestly (an Excel
    time the clock change skips, a date without a time).
    """

    number: int
    cells: dict[str, str | None]
    problems: tuple[RowError, ...] = ()


def size_problem(size: int) -> str | None:
    """Checked before the upload is read into memory."""
    if size > MAX_BYTES:
        return (
            f"The file is {size / 1024 / 1024:.1f} MB; "
            f"the limit is {MAX_BYTES // 1024 // 1024} MB. "
            f"Fix: split it into smaller files of at most {MAX_ROWS:,} rows."
        )
    return None


def read_upload(filename: str, content: bytes) -> list[SheetRow]:
    """The file's rows as text, or ImportFileError naming what is wrong with the file itself."""
    problem = size_problem(len(content))
    if problem:
        raise ImportFileError(problem)
    rows = _rows_by_type(filename, content)
    if not rows:
        raise ImportFileError("The file has a header row but no readings below it.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            f"The file has more than {MAX_ROWS:,} readings, the limit. "
            "Fix: split it into smaller files."
        )
    return rows


def _rows_by_type(filename: str, content: bytes) -> list[SheetRow]:
    """Chosen by the name's suffix: browsers and Excel disagree on a CSV's content type."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        return _csv_rows(content)
    if suffix == "xlsx":
        return _xlsx_rows(content)
    raise ImportFileError(_wrong_type(suffix))


def _wrong_type(suffix: str) -> str:
    """Older and other spreadsheet formats get a fix, since Excel can save any of them as .xlsx."""
    if suffix in ("xls", "xlsm", "xlsb", "ods"):
        return (
            f"A .{suffix} file cannot be read. "
            "Fix: save it as an Excel Workbook (.xlsx) or as CSV UTF-8, then upload that."
        )
    return "The file must be a CSV file (.csv) or an Excel workbook (.xlsx)."


def _csv_rows(content: bytes) -> list[SheetRow]:
    """Every non-blank row after the header, numbered from 2 as Excel shows them."""
    try:
        records = list(csv.reader(io.StringIO(_csv_text(content), newline="")))
    except csv.Error as exc:
        raise ImportFileError(f"The file cannot be read as CSV ({exc}).") from exc
    if not records:
        raise ImportFileError("The file is empty. Row 1 must name the columns.")
    header = _header(records[0])
    numbered = enumerate(records[1:], start=2)
    return [SheetRow(n, _cells(header, r)) for n, r in numbered if _has_data(r)]


def _csv_text(content: bytes) -> str:
    """UTF-8 only: guessing another encoding would silently garble area names."""
    fix = "Fix: in Excel, choose Save As and 'CSV UTF-8'."
    try:
        text = content.decode("utf-8-sig")  # Excel's 'CSV UTF-8' starts with a BOM
    except UnicodeDecodeError as exc:
        problem = _not_utf8(content, exc)
        raise ImportFileError(f"The file is not UTF-8 text. {problem}. {fix}") from exc
    if text.count("\x00") * 4 > len(text):  # UTF-16 without its mark decodes, as NULs
        raise ImportFileError(f"The file is not UTF-8 text. It is UTF-16. {fix}")
    return text


def _not_utf8(content: bytes, exc: UnicodeDecodeError) -> str:
    """Where the text stops being UTF-8, by row, or that it is UTF-16 throughout (Excel's
    'Unicode Text' and some exports start with a UTF-16 byte order mark)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "It is UTF-16"
    row = content.count(b"\n", 0, exc.start) + 1
    return f"Row {row} has a character that is not UTF-8 (byte 0x{content[exc.start]:02X})"


def _header(names: Sequence[object]) -> list[str]:
    """Column names, trimmed and lower-cased; refuse a header without the columns needed."""
    header = [str(n).strip().lower() if n is not None else "" for n in names]
    missing = _missing_columns(header)
    if missing:
        found = ", ".join(n for n in header if n) or "nothing"
        raise ImportFileError(
            f"Row 1 is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. Row 1 must name the columns {', '.join(COLUMNS)} "
            f"(organisation is optional); this file's row 1 has {found}.{_separator_hint(header)}"
        )
    repeated = sorted({n for n in header if n and header.count(n) > 1})
    if repeated:
        raise ImportFileError(
            f"Row 1 names {', '.join(repeated)} more than once; keep one of each."
        )
    return header


def _separator_hint(header: list[str]) -> str:
    """Excel in some locales saves 'CSV' with semicolons: the header arrives as one column."""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        return " Fix: separate the columns with commas (in Excel, save as CSV UTF-8)."
    return ""


def _missing_columns(header: list[str]) -> list[str]:
    """The command line's header check, plus the columns only the web needs."""
    try:
        engine.check_header(header)
    except ReadingsError as refused:
        missing = [e.column for e in refused.errors]
    else:
        missing = []
    return missing + [c for c in WEB_ONLY_COLUMNS if c not in header]


def _cells(header: list[str], record: Sequence[str | None]) -> dict[str, str | None]:
    """A short row's missing cells are None, so the row checks name them, not the reader."""
    return {name: (record[i] if i < len(record) else None) for i, name in enumerate(header) if name}


def _has_data(record: Sequence[object]) -> bool:
    """Blank rows (often left below the data in a spreadsheet) are skipped, not errors."""
    return any(v is not None and str(v).strip() for v in record)


def _xlsx_rows(content: bytes) -> list[SheetRow]:
    """The first sheet's rows; any failure inside openpyxl means the file is damaged."""
    _check_zip(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged file
        raise ImportFileError(NOT_A_WORKBOOK) from exc
    try:
        return _sheet_rows(book.worksheets[0].iter_rows())
    except ImportFileError:
        raise
    except Exception as exc:  # as above: any failure while reading means the file is damaged
        raise ImportFileError(NOT_A_WORKBOOK) from exc
    finally:
        book.close()


def _check_zip(content: bytes) -> None:
    """Refuse a zip bomb before openpyxl unpacks it into memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError(NOT_A_WORKBOOK) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            "The workbook unpacks to more than 50 MB, far more than 10,000 readings need. "
            "Fix: copy the readings alone into a new workbook."
        )


def _sheet_rows(cells: Iterator[tuple[Any, ...]]) -> list[SheetRow]:
    """Rows of the first sheet; header on row 1, as the hint on the upload page says."""
    first = next(cells, None)
    if first is None:
        raise ImportFileError("The first sheet is empty. Row 1 must name the columns.")
    header = _header([c.value for c in first])
    rows = []
    for number, row in enumerate(cells, start=2):
        if _has_data([c.value for c in row]):
            rows.append(_sheet_row(number, header, row))
            if len(rows) > MAX_ROWS:
                break  # read_upload refuses the file; no need to read the rest
    return rows


def _sheet_row(number: int, header: list[str], row: Sequence[Any]) -> SheetRow:
    """A row's cells as text; the cells with no honest text become the row's problems."""
    cells: dict[str, str | None] = {}
    problems: list[RowError] = []
    for name, cell in zip(header, row, strict=False):
        if not name:
            continue
        text, problem = _cell_text(cell.value, getattr(cell, "number_format", None) or "")
        cells[name] = text
        if problem:
            problems.append(RowError(number, name, problem))
    return SheetRow(number, cells, tuple(problems))


def _cell_text(value: object, number_format: str) -> tuple[str | None, str | None]:
    """A cell as the text a CSV would hold, or a problem when no honest text exists."""
    if value is None or isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return str(value).upper(), None
    if isinstance(value, int | float):
        return _number_text(value, number_format), None
    if isinstance(value, datetime):
        return _excel_time(value, number_format)
    if isinstance(value, date | time):
        return value.isoformat(), None  # parse_rows says what is wrong with it
    return str(value), None


def _number_text(value: float, number_format: str) -> str:
    """A number as typed: repr keeps every digit Excel stored, with no float noise added."""
    if "%" in number_format:
        # Excel stores 82% as 0.82, but the person sees, and means, 82.
        return str(Decimal(repr(value)) * 100)
    return repr(value)


def _excel_time(moment: datetime, number_format: str) -> tuple[str | None, str | None]:
    """An Excel date and time is UK wall-clock time; give it its offset (STYLE.md: UTC stored)."""
    if "h" not in number_format.lower() and moment.time() == time(0):
        return None, f"{moment:%d %b %Y} has no time of day; fix: give the date and the time"
    moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
    first, second = moment.replace(tzinfo=UK, fold=0), moment.replace(tzinfo=UK, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.isoformat(), None
    return None, _clock_change_problem(moment, first)


def _clock_change_problem(moment: datetime, first: datetime) -> str:
    """Which clock change makes ``moment`` ambiguous, and how to say which time was meant."""
    shown = f"{moment:%H:%M on %d %b %Y}"
    if first.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != moment:
        return (
            f"{shown} does not exist in UK time (the clocks go forward); "
            "fix: check the time, or type it as text with its offset"
        )
    return (
        f"{shown} happens twice in UK time (the clocks go back); fix: type it as text with "
        f"its offset, e.g. {moment:%Y-%m-%dT%H:%M}:00+01:00 for the first (BST)"
    )
