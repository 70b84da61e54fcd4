"""Bulk import of readings from a CSV or Excel file: check every row, stage, commit.

Issue 3: an import with any bad row is rejected whole, with every problem
listed by the row number the spreadsheet shows (the header is row 1). Reading
the file itself is :mod:`surgewatch.web.reporting.spreadsheets`; the plan and
time checks are the ones :mod:`surgewatch.web.reporting.services` applies to
every write, so a refused row says what a refused form would. Rows go
through :func:`surgewatch.core.assess.parse_rows`, as the ``surgewatch assess``
command's do, so the command line and the web accept the same files. A file
that passes is staged as an :class:`ImportBatch`; only its uploader can commit
it, once, within a day, and the commit re-checks every row and saves them all
in one transaction through :func:`submit_readings`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from surgewatch.core import assess as engine
from surgewatch.core.assess import ReadingsError, RowError
from surgewatch.core.bands import BandTable
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.permissions import reportable_areas, reportable_indicators
from surgewatch.web.reporting.models import ImportBatch, ImportStatus
from surgewatch.web.reporting.services import cell_problem, observed_at_problem, submit_readings
from surgewatch.web.reporting.spreadsheets import COLUMNS, SheetRow, read_upload

STAGED_FOR = timedelta(hours=24)
READ_COLUMNS = ("organisation", *COLUMNS)
# A number followed by a percent sign or a word: '85%', '12 beds', '39.5 cases'.
UNIT = re.compile(r"\s*(?P<number>[-+]?\d+(?:\.\d+)?)\s*(?:%|[A-Za-z][A-Za-z ]*)\s*")


class CommitError(ValueError):
    """A staged batch cannot be imported or cancelled now; the message says why."""


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed every check: what will be submitted if the uploader confirms."""

    number: int
    area: str
    indicator: str
    value: float
    observed_at: datetime

    def as_json(self) -> dict[str, Any]:
        """Stored in the batch as UTC text, so a preview or commit needs no upload again."""
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
    """What the uploader sees before confirming: each row's level and any reason to stop."""

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
    """What the upload page lists: the user's areas and indicators, less those N/A there.

    Filtered by the same :func:`cell_problem` a row is checked against, so the
    page never lists a cell whose rows would be refused.
    """
    framework = organisation.framework
    pack, table, label = pack_of(framework), table_of(framework), str(framework)
    found = []
    for area in reportable_areas(user, organisation):
        indicators = reportable_indicators(user, area)
        ids = [i for i in indicators if cell_problem(pack, table, label, area.slug, i) is None]
        if ids:
            found.append(Importable(area, ids))
    return found


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
    """Looked up once per file, not per row: 10,000 rows would be 10,000 queries."""
    framework = organisation.framework
    areas = organisation.areas.filter(active=True).select_related("organisation__framework")
    by_slug = {a.slug: a for a in areas}
    reportable = {s: frozenset(reportable_indicators(user, a)) for s, a in by_slug.items()}
    return _Rules(organisation, pack_of(framework), table_of(framework), by_slug, reportable, now)


def _check_row(rules: _Rules, row: SheetRow) -> tuple[CheckedRow | None, list[RowError]]:
    """A row that could not be read as text is not parsed: its problems say enough."""
    unreadable = [*row.problems, *_text_errors(row)]
    errors = [*unreadable, *_organisation_errors(rules, row)]
    if unreadable:
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


def _text_errors(row: SheetRow) -> list[RowError]:
    """Cells that say what went wrong in the spreadsheet better than 'not a number' would."""
    errors = []
    for column in READ_COLUMNS:  # other columns (notes, say) are not read, so not checked
        text = row.cells.get(column)
        problem = _formula_problem(text or "") or (
            _unit_problem(text or "") if column == "value" else None
        )
        if problem:
            errors.append(RowError(row.number, column, problem))
    return errors


def _formula_problem(text: str) -> str | None:
    """A CSV keeps a formula as its text ('=1+1'); it is never a reading, and never run."""
    if not text.lstrip().startswith("="):
        return None
    shown = text if len(text) <= 40 else text[:37] + "..."
    return (
        f"is a formula ('{shown}'); fix: save the value the formula shows, not the formula "
        "(in Excel: copy the cells, then Paste Values)"
    )


def _unit_problem(text: str) -> str | None:
    """'85%' or '12 beds': the number is right, the unit is not wanted (the plan has it)."""
    found = UNIT.fullmatch(text)
    if found is None:
        return None
    return f"'{text.strip()}' has a unit; fix: give the number alone, {found['number']}"


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
    """What the web asks beyond the command line: a time, the user's scope, the plan, no future.

    The first problem only: a row out of scope need not also be told its time is wrong.
    """
    if reading.observed_at is None:
        example = "e.g. 2026-01-05T09:30:00+00:00"
        return [RowError(number, "observed_at", f"is empty; fix: give the time, {example}")]
    scope = _scope_error(rules, number, reading)
    if scope:
        return [scope]
    plan = _plan_error(rules, number, reading)
    if plan:
        return [plan]
    at = reading.observed_at
    when = _range_problem(at) or observed_at_problem(at, rules.now)
    return [RowError(number, "observed_at", when)] if when else []


def _range_problem(observed_at: datetime) -> str | None:
    """Year 1 at +01:00 is before the calendar starts in UTC, and a time is stored in UTC."""
    try:
        observed_at.astimezone(UTC)
    except OverflowError:
        return "is out of range in UTC; fix: check the year"
    return None


def _plan_error(rules: _Rules, number: int, reading: engine.Reading) -> RowError | None:
    """The service's own cell check, so a refused row reads as a refused form would."""
    label = str(rules.organisation.framework)
    problem = cell_problem(rules.pack, rules.table, label, reading.area, reading.indicator)
    return RowError(number, "indicator", problem) if problem else None


def _scope_error(rules: _Rules, number: int, reading: engine.Reading) -> RowError | None:
    """The same scope a form enforces: only the indicators the user reports in that area."""
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

    ImportFileError (the file, see :mod:`.spreadsheets`) or ReadingsError (its rows)
    means nothing was kept.
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
    """Names from the plan the batch was checked against, which the preview is about."""
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
    """Only the uploader saw the preview, so only they may confirm or cancel it."""
    if batch.uploaded_by_id != user.pk:
        raise PermissionDenied("only the person who uploaded a file may import or cancel it")


def _claim(batch: ImportBatch, now: datetime) -> None:
    """Applies only while the batch is still staged, so a second click claims nothing."""
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
    """The service's own words for a refusal the re-check did not foresee."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return "you may no longer report some of these readings."


def _stored(batch: ImportBatch) -> list[CheckedRow]:
    """The staged rows, read back from the batch's JSON."""
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
    """Times shown to people are UK local (STYLE.md: convert at the edges)."""
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M %Z")
