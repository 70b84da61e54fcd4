"""Bulk import of readings from a CSV or Excel file: read, check every row, stage, commit.

Issue 3: an import with any bad row is rejected whole, with every problem
listed by the row number the spreadsheet shows (the header is row 1). Rows go
through :func:`surgewatch.core.assess.parse_rows`, as the ``surgewatch assess``
command's do, so the command line and the web accept the same files. A file
that passes is staged as an :class:`ImportBatch`; only its uploader can commit
it, once, within a day, and the commit re-checks every row and saves them all
in one transaction through :func:`submit_readings`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from surgewatch.core import assess as engine
from surgewatch.core.assess import ReadingsError, RowError
from surgewatch.core.bands import BandTable, CellStatus
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.permissions import reportable_areas, reportable_indicators
from surgewatch.web.reporting.models import ImportBatch, ImportStatus
from surgewatch.web.reporting.services import FUTURE_TOLERANCE, submit_readings

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# An .xlsx is a zip; refuse one that unpacks to far more than 2 MB of readings could need.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
STAGED_FOR = timedelta(hours=24)
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


class CommitError(ValueError):
    """A staged batch cannot be imported or cancelled now; the message says why."""


@dataclass(frozen=True)
class SheetRow:
    """One row of the file as text keyed by column, numbered as the spreadsheet shows it.

    ``problems`` are cells that could not be turned into text honestly (an Excel
    time the clock change skips, a date without a time).
    """

    number: int
    cells: dict[str, str | None]
    problems: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed every check: what will be submitted if the uploader confirms."""

    number: int
    area: str
    indicator: str
    value: float
    observed_at: datetime

    def as_json(self) -> dict[str, Any]:
        stamp = self.observed_at.astimezone(UTC).isoformat()
        return {
            "row": self.number,
            "area": self.area,
            "indicator": self.indicator,
            "value": self.value,
            "observed_at": stamp,
        }


@dataclass(frozen=True)
class PreviewRow:
    """A staged row with the level the engine would give it; nothing saved."""

    number: int
    area: str
    area_name: str
    indicator: str
    indicator_name: str
    value: float
    observed_at: datetime
    level: int | None
    colour: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    batch: ImportBatch
    rows: list[PreviewRow]
    refusal: str | None  # why the batch cannot be imported now; None when it can
    same_file: ImportBatch | None  # an earlier import of identical content, if any

    @property
    def area_names(self) -> list[str]:
        return sorted({r.area_name for r in self.rows})

    @property
    def first(self) -> datetime | None:
        return min((r.observed_at for r in self.rows), default=None)

    @property
    def last(self) -> datetime | None:
        return max((r.observed_at for r in self.rows), default=None)


@dataclass(frozen=True)
class Importable:
    """An area the user reports for and the indicator ids a file may give for it."""

    area: Area
    indicators: list[str]


def importable(user: User, organisation: Organisation) -> list[Importable]:
    """What the upload page lists: the user's areas and indicators, less those N/A there."""
    table = table_of(organisation.framework)
    found = []
    for area in reportable_areas(user, organisation):
        ids = [i for i in reportable_indicators(user, area) if _monitored(table, i, area.slug)]
        if ids:
            found.append(Importable(area, ids))
    return found


def _monitored(table: BandTable, indicator: str, area: str) -> bool:
    key = (indicator, area)
    return key in table.index and table.cell(*key).status is not CellStatus.NOT_MONITORED


# --- reading the file ---------------------------------------------------------------------


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
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        rows = _csv_rows(content)
    elif suffix == "xlsx":
        rows = _xlsx_rows(content)
    else:
        raise ImportFileError(_wrong_type(suffix))
    if not rows:
        raise ImportFileError("The file has a header row but no readings below it.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            f"The file has more than {MAX_ROWS:,} readings, the limit. "
            "Fix: split it into smaller files."
        )
    return rows


def _wrong_type(suffix: str) -> str:
    if suffix in ("xls", "xlsm", "xlsb", "ods"):
        return (
            f"A .{suffix} file cannot be read. "
            "Fix: save it as an Excel Workbook (.xlsx) or as CSV UTF-8, then upload that."
        )
    return "The file must be a CSV file (.csv) or an Excel workbook (.xlsx)."


def _csv_rows(content: bytes) -> list[SheetRow]:
    try:
        text = content.decode("utf-8-sig")  # Excel's 'CSV UTF-8' starts with a BOM
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not UTF-8 text. Fix: in Excel, choose Save As and 'CSV UTF-8'."
        ) from exc
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFileError(f"The file cannot be read as CSV ({exc}).") from exc
    if not records:
        raise ImportFileError("The file is empty. Row 1 must name the columns.")
    header = _header(records[0])
    numbered = enumerate(records[1:], start=2)
    return [SheetRow(n, _cells(header, r)) for n, r in numbered if _has_data(r)]


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
    return {name: (record[i] if i < len(record) else None) for i, name in enumerate(header) if name}


def _has_data(record: Sequence[object]) -> bool:
    """Blank rows (often left below the data in a spreadsheet) are skipped, not errors."""
    return any(v is not None and str(v).strip() for v in record)


def _xlsx_rows(content: bytes) -> list[SheetRow]:
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


# --- checking every row -------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """What a row is checked against: the plan in force, the areas, the user's scope, now."""

    organisation: Organisation
    pack: Pack
    table: BandTable
    areas: dict[str, Area]
    reportable: dict[str, frozenset[str]]
    now: datetime


def check_rows(
    organisation: Organisation, user: User, rows: Iterable[SheetRow], now: datetime
) -> list[CheckedRow]:
    """Every row checked; ReadingsError listing every problem, by row, if any row is bad."""
    rules = _rules(organisation, user, now)
    checked: list[CheckedRow] = []
    errors: list[RowError] = []
    for row in rows:
        good, problems = _check_row(rules, row)
        errors.extend(problems)
        if good is not None:
            checked.append(good)
    errors.extend(_duplicates(checked))
    if errors:
        raise ReadingsError(sorted(errors, key=lambda e: e.row))
    return checked


def _rules(organisation: Organisation, user: User, now: datetime) -> _Rules:
    framework = organisation.framework
    areas = organisation.areas.filter(active=True).select_related("organisation__framework")
    by_slug = {a.slug: a for a in areas}
    reportable = {s: frozenset(reportable_indicators(user, a)) for s, a in by_slug.items()}
    return _Rules(organisation, pack_of(framework), table_of(framework), by_slug, reportable, now)


def _check_row(rules: _Rules, row: SheetRow) -> tuple[CheckedRow | None, list[RowError]]:
    errors = [*row.problems, *_organisation_errors(rules, row)]
    if row.problems:
        return None, errors
    reading, problems = _parse(rules.pack, row)
    errors.extend(problems)
    if reading is None:
        return None, errors
    errors.extend(_rule_errors(rules, row.number, reading))
    if errors or reading.observed_at is None:
        return None, errors
    return CheckedRow(
        row.number, reading.area, reading.indicator, reading.value, reading.observed_at
    ), []


def _organisation_errors(rules: _Rules, row: SheetRow) -> list[RowError]:
    """The optional organisation column, when filled in, must name the one imported into."""
    given = (row.cells.get("organisation") or "").strip()
    expected = rules.organisation.slug
    if not given or given == expected:
        return []
    message = f"'{given}' is not this organisation; fix: write {expected} or leave it empty"
    return [RowError(row.number, "organisation", message)]


def _parse(pack: Pack, row: SheetRow) -> tuple[engine.Reading | None, list[RowError]]:
    """The command line's parser, one row at a time so each keeps the spreadsheet's number."""
    try:
        (reading,) = engine.parse_rows(pack, [row.cells])
    except ReadingsError as refused:
        return None, [RowError(row.number, e.column, e.message) for e in refused.errors]
    return reading, []


def _rule_errors(rules: _Rules, number: int, reading: engine.Reading) -> list[RowError]:
    """What the web asks beyond the command line: a time, the user's scope, N/A, no future."""
    if reading.observed_at is None:
        example = "e.g. 2026-01-05T09:30:00+00:00"
        return [RowError(number, "observed_at", f"is empty; fix: give the time, {example}")]
    scope = _scope_error(rules, number, reading)
    if scope:
        return [scope]
    if not _monitored(rules.table, reading.indicator, reading.area):
        message = f"'{reading.indicator}' is not monitored in {reading.area} (N/A in the plan)"
        return [RowError(number, "indicator", f"{message}; fix: leave the row out")]
    if reading.observed_at > rules.now + FUTURE_TOLERANCE:
        when = timezone.localtime(reading.observed_at).strftime("%d %b %Y %H:%M %Z")
        return [RowError(number, "observed_at", f"{when} is in the future; fix: check the time")]
    return []


def _scope_error(rules: _Rules, number: int, reading: engine.Reading) -> RowError | None:
    area = rules.areas.get(reading.area)
    if area is None:
        return RowError(number, "area", f"'{reading.area}' is no longer a reporting area")
    if reading.indicator in rules.reportable[reading.area]:
        return None
    return RowError(
        number,
        "area",
        f"you do not report '{reading.indicator}' for {area.name}; "
        "fix: leave the row out, or ask that area's team to import it",
    )


def _duplicates(rows: list[CheckedRow]) -> list[RowError]:
    """Two rows for one cell at one time would leave which value stands to chance."""
    first: dict[tuple[str, str, datetime], int] = {}
    errors = []
    for row in rows:
        key = (row.area, row.indicator, row.observed_at)
        if key in first:
            message = f"repeats row {first[key]} (same area, indicator and time); fix: keep one"
            errors.append(RowError(row.number, "observed_at", message))
        else:
            first[key] = row.number
    return errors


# --- staging, preview, commit -------------------------------------------------------------


def stage(
    organisation: Organisation, user: User, filename: str, content: bytes, now: datetime
) -> ImportBatch:
    """Check the whole file and keep it for preview.

    ImportFileError (the file) or ReadingsError (its rows) means nothing was kept.
    """
    rows = check_rows(organisation, user, read_upload(filename, content), now)
    return ImportBatch.objects.create(
        token=secrets.token_urlsafe(32),
        organisation=organisation,
        framework=organisation.framework,
        uploaded_by=user,
        uploaded_at=now,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=[r.as_json() for r in rows],
    )


def preview(batch: ImportBatch, now: datetime) -> Preview:
    """The staged rows with the level each would get under the plan they were checked against."""
    pack, table = pack_of(batch.framework), table_of(batch.framework)
    rows = _stored(batch)
    readings = [engine.Reading(r.indicator, r.area, r.value, r.observed_at) for r in rows]
    results = engine.assess(pack, readings, table).results
    shown = [_preview_row(pack, r, res) for r, res in zip(rows, results, strict=True)]
    return Preview(batch, shown, refusal(batch, now), _same_file(batch))


def _preview_row(pack: Pack, row: CheckedRow, result: engine.ReadingResult) -> PreviewRow:
    areas = {a.id: a.name for a in pack.organisation.areas}
    return PreviewRow(
        row.number,
        row.area,
        areas[row.area],
        row.indicator,
        pack.indicator(row.indicator).name,
        row.value,
        row.observed_at,
        result.level,
        result.colour,
        result.warnings,
    )


def _same_file(batch: ImportBatch) -> ImportBatch | None:
    """An earlier import of the very same file: most likely a second upload by mistake."""
    earlier = ImportBatch.objects.filter(
        organisation=batch.organisation, sha256=batch.sha256, status=ImportStatus.COMMITTED
    )
    return earlier.exclude(pk=batch.pk).select_related("uploaded_by").order_by("-pk").first()


def refusal(batch: ImportBatch, now: datetime) -> str | None:
    """Why ``batch`` cannot be imported at ``now``, in words for its uploader; None if it can."""
    if batch.status == ImportStatus.COMMITTED and batch.committed_at is not None:
        return f"These readings were already imported on {_local(batch.committed_at)}."
    if batch.status == ImportStatus.DISCARDED:
        return "This import was cancelled. Upload the file again to import it."
    if now - batch.uploaded_at > STAGED_FOR:
        return (
            f"This file was checked on {_local(batch.uploaded_at)}, more than 24 hours ago, "
            "so it can no longer be imported. Upload it again to check it against today's values."
        )
    if batch.organisation.framework_id != batch.framework_id:
        return (
            "The escalation plan changed after this file was checked, so the levels shown "
            "may be wrong. Upload the file again to check it against the plan in force."
        )
    return None


def commit(batch: ImportBatch, user: User, now: datetime) -> int:
    """Save every staged reading, all or none, once; the number saved.

    Rows are checked again (scope, plan and clock may have moved since the
    preview). The batch is claimed with an UPDATE that applies only while it
    is still staged, inside the same transaction as the readings, so two
    clicks (or two servers) never import it twice.
    """
    _require_uploader(batch, user)
    problem = refusal(batch, now)
    if problem:
        raise CommitError(problem)
    rows = check_rows(batch.organisation, user, _as_sheet(batch), now)
    try:
        with transaction.atomic():
            _claim(batch, now)
            _submit(user, batch.organisation, rows, now)
    except (ValidationError, PermissionDenied) as exc:
        batch.refresh_from_db()  # the claim was rolled back with the readings
        raise CommitError(f"Nothing was imported: {_reason(exc)}") from exc
    return len(rows)


def discard(batch: ImportBatch, user: User, now: datetime) -> None:
    """Cancel a staged import (an expired one too); an imported one stays imported."""
    _require_uploader(batch, user)
    staged = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.STAGED)
    staged.update(status=ImportStatus.DISCARDED)
    batch.refresh_from_db()
    if batch.status == ImportStatus.COMMITTED:
        raise CommitError(refusal(batch, now) or "These readings were already imported.")


def _require_uploader(batch: ImportBatch, user: User) -> None:
    if batch.uploaded_by_id != user.pk:
        raise PermissionDenied("only the person who uploaded a file may import or cancel it")


def _claim(batch: ImportBatch, now: datetime) -> None:
    staged = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.STAGED)
    if not staged.update(status=ImportStatus.COMMITTED, committed_at=now):
        batch.refresh_from_db()
        raise CommitError(refusal(batch, now) or "This import is no longer waiting.")
    batch.status, batch.committed_at = ImportStatus.COMMITTED, now


def _submit(user: User, organisation: Organisation, rows: list[CheckedRow], now: datetime) -> None:
    """One submission per (area, time), as a team would send them one form at a time."""
    areas = {a.slug: a for a in organisation.areas.all()}
    ordered = sorted(rows, key=lambda r: (r.area, r.observed_at))
    for (area, observed_at), group in groupby(ordered, key=lambda r: (r.area, r.observed_at)):
        values = {r.indicator: r.value for r in group}
        submit_readings(user, areas[area], values, observed_at, now=now)


def _reason(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return "you may no longer report some of these readings."


def _stored(batch: ImportBatch) -> list[CheckedRow]:
    return [
        CheckedRow(
            r["row"],
            r["area"],
            r["indicator"],
            r["value"],
            datetime.fromisoformat(r["observed_at"]),
        )
        for r in batch.rows
    ]


def _as_sheet(batch: ImportBatch) -> list[SheetRow]:
    """Staged rows back as text, so a commit re-checks them by the very same rules."""
    return [
        SheetRow(
            r.number,
            {
                "area": r.area,
                "indicator": r.indicator,
                "value": repr(r.value),
                "observed_at": r.observed_at.isoformat(),
            },
        )
        for r in _stored(batch)
    ]


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M %Z")
