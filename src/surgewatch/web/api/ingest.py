"""Bulk readings from a feed: many organisations, areas and times in one all-or-nothing write.

The rules are those of :func:`surgewatch.web.reporting.services.submit_readings`:
scope from the pack's ``reported_by`` through the permission functions the
web uses, impossible values refused by the engine, levels from
:func:`surgewatch.core.assess.assess` under the framework in force and stored
with it, each touched area locked while its current readings move. The shape
is a feed's (issue 3 asks for at least 30% of COPY's throughput): one query
locks every area, one engine call per organisation, and the writes in
:mod:`surgewatch.web.api.store` take a handful of statements per batch.
Rows stay plain records rather than model instances, which would cost more
to build than the insert itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from surgewatch.core import assess as engine
from surgewatch.core.assess import RowError
from surgewatch.core.bands import BandTable, CellStatus
from surgewatch.core.pack import Pack, ValidRange
from surgewatch.web.accounts.models import User
from surgewatch.web.api import store
from surgewatch.web.api.store import CheckedRow
from surgewatch.web.orgs.models import Area, Framework, Organisation
from surgewatch.web.orgs.packs import pack_of, table_of
from surgewatch.web.orgs.permissions import reportable_indicators_by_area
from surgewatch.web.reporting.models import ReadingKind
from surgewatch.web.reporting.services import FUTURE_TOLERANCE
from surgewatch.web.reporting.signals import readings_stored

AreaKey = tuple[str, str]  # (organisation slug, area slug)
CellKey = tuple[int, str]  # (area id, indicator id)
Problem = tuple[str, str]  # (field, message)
SHOWN_ROWS = 10  # row numbers listed in a refusal before 'and N more'


class IncomingReading(NamedTuple):
    """A named tuple, as are the other per-row records: immutable, and five times
    cheaper to build than a frozen dataclass, which counts at 500 rows a request."""

    organisation: str
    area: str
    indicator: str
    value: float
    observed_at: datetime

    @property
    def area_key(self) -> AreaKey:
        return (self.organisation, self.area)


class StoredReading(NamedTuple):
    """A reading as stored: its id and what the engine gave it."""

    id: int
    organisation: str
    area: str
    indicator: str
    value: float
    observed_at: datetime
    kind: str
    level: int | None
    colour: str
    cell_status: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class _Rules:
    """One locked area with the rules in force there and what this user reports in it.

    ``cells`` holds, per indicator the pack knows, whether the plan monitors it
    here and its valid range, so checking a row is two dict lookups.
    """

    area: Area
    area_id: int
    framework: Framework
    framework_id: int
    pack: Pack
    table: BandTable
    cells: dict[str, tuple[bool, ValidRange]]
    in_framework: bool
    reportable: frozenset[str]


class RowValidationError(ValidationError):
    """Rows refused, each named by its index in the request and the field at fault."""

    def __init__(self, rows: list[RowError]) -> None:
        self.rows = rows
        super().__init__([str(row) for row in rows])


def ingest_readings(
    user: User, rows: Sequence[IncomingReading], *, now: datetime
) -> list[StoredReading]:
    """Store every row as a report, in request order, or nothing.

    Raises RowValidationError naming each bad row and field, and
    PermissionDenied when the user may not report a row's indicator in its
    area, checked before values as ``submit_readings`` does.
    """
    with transaction.atomic():
        areas = _lock_areas(rows)
        _raise(_reference_errors(rows, areas))
        mine = reportable_indicators_by_area(user, list(areas.values()))
        rules = {key: _rules(area, frozenset(mine[area.pk])) for key, area in areas.items()}
        _check_scope(user, rows, rules)
        times = _checked_times(rows, rules, now)
        checked = _assess(rows, times, rules)
        ids = store.insert_reports(user.pk, checked, now)
        store.advance_currents(checked, ids)
        organisation_ids = {area.organisation_id for area in areas.values()}
        readings_stored.send(IncomingReading, organisation_ids=organisation_ids)
    return [_stored(pk, given, row) for pk, given, row in zip(ids, rows, checked, strict=True)]


def _lock_areas(rows: Sequence[IncomingReading]) -> dict[AreaKey, Area]:
    """Lock every area named, in primary-key order so two writers cannot deadlock."""
    found = (
        Area.objects.select_for_update(of=("self",))
        .select_related("organisation__framework")
        .filter(organisation__slug__in={r.organisation for r in rows})
        .filter(slug__in={r.area for r in rows})
        .order_by("pk")
    )
    return {(a.organisation.slug, a.slug): a for a in found}


def _rules(area: Area, mine: frozenset[str]) -> _Rules:
    framework = area.organisation.framework
    pack, table = pack_of(framework), table_of(framework)
    in_framework = area.slug in pack.area_ids
    cells = {
        i.id: (
            in_framework and table.cell(i.id, area.slug).status is not CellStatus.NOT_MONITORED,
            i.valid_range,
        )
        for i in pack.indicators
    }
    return _Rules(area, area.pk, framework, framework.pk, pack, table, cells, in_framework, mine)


def _raise(errors: list[RowError]) -> None:
    if errors:
        raise RowValidationError(errors)


def _reference_errors(
    rows: Sequence[IncomingReading], areas: dict[AreaKey, Area]
) -> list[RowError]:
    missing = [(n, r) for n, r in enumerate(rows) if r.area_key not in areas]
    if not missing:
        return []
    named = {r.organisation for _, r in missing}
    found = Area.objects.filter(organisation__slug__in=named, active=True).order_by("slug")
    choices: dict[str, list[str]] = defaultdict(list)
    for organisation, area in found.values_list("organisation__slug", "slug"):
        choices[organisation].append(area)
    known = set(Organisation.objects.filter(slug__in=named).values_list("slug", flat=True))
    return [_reference_error(n, r, known, choices) for n, r in missing]


def _reference_error(
    n: int, row: IncomingReading, known: set[str], choices: dict[str, list[str]]
) -> RowError:
    if row.organisation not in known:
        return RowError(n, "organisation", f"unknown organisation '{row.organisation}'")
    areas = ", ".join(choices[row.organisation])
    return RowError(
        n, "area", f"unknown area '{row.area}' in {row.organisation}; fix: use one of {areas}"
    )


def _check_scope(user: User, rows: Sequence[IncomingReading], rules: dict[AreaKey, _Rules]) -> None:
    """Refuse the whole request if any row is outside the user's roles (pack ``reported_by``)."""
    refused: dict[int, str] = {}
    for n, row in enumerate(rows):
        where = rules[row.area_key]
        known = row.indicator in where.cells
        if not where.reportable or (known and row.indicator not in where.reportable):
            refused[n] = f"{row.indicator} in {row.organisation}/{row.area}"
    if refused:
        what = ", ".join(sorted(set(refused.values())))
        raise PermissionDenied(f"{user} may not report {what} ({_rows_text(refused)})")


def _rows_text(rows: Iterable[int]) -> str:
    numbers = sorted(rows)
    shown = ", ".join(str(n) for n in numbers[:SHOWN_ROWS])
    more = len(numbers) - SHOWN_ROWS
    return f"rows {shown}" + (f" and {more} more" if more > 0 else "")


def _checked_times(
    rows: Sequence[IncomingReading], rules: dict[AreaKey, _Rules], now: datetime
) -> list[datetime]:
    """Each row's time in UTC, or RowValidationError naming every bad row and field."""
    errors: list[RowError] = []
    times: list[datetime] = []
    seen: dict[tuple[str, str, str, datetime], int] = {}
    latest = now + FUTURE_TOLERANCE
    for n, row in enumerate(rows):
        field, problem = _cell_problem(row, rules[row.area_key])
        if problem:
            errors.append(RowError(n, field, problem))
        at, problem = _utc(row.observed_at, latest)
        if problem:
            errors.append(RowError(n, "observed_at", problem))
            continue
        first = seen.setdefault((*row.area_key, row.indicator, at), n)
        if first != n:
            errors.append(RowError(n, "observed_at", _repeat(first)))
        times.append(at)
    _raise(errors)
    return times


def _repeat(first: int) -> str:
    return f"repeats row {first} (same cell and time); fix: send each reading once"


def _cell_problem(row: IncomingReading, rules: _Rules) -> Problem:
    """The checks ``submit_readings`` makes of each value, phrased the same way."""
    cell = rules.cells.get(row.indicator)
    if cell is None:
        known = ", ".join(rules.cells)
        return "indicator", f"unknown indicator '{row.indicator}'; fix: use one of {known}"
    if not rules.in_framework:
        fix = "fix: report a current area"
        return "area", f"area '{row.area}' is not in framework {rules.framework}; {fix}"
    monitored, valid_range = cell
    if not monitored:
        return "indicator", f"not monitored in {row.area} (N/A in the plan); fix: leave it out"
    if valid_range.contains(row.value):
        return "value", ""
    return "value", engine.check_value(rules.pack, row.indicator, row.value)[0].message


def _utc(at: datetime, latest: datetime) -> tuple[datetime, str]:
    if at.utcoffset() is None:
        return at, "has no time zone; fix: give an aware time, e.g. 09:00:00Z"
    try:
        utc = at.astimezone(UTC)
    except OverflowError:
        return at, "is out of range in UTC; fix: check the year"
    if utc > latest:
        shown = timezone.localtime(utc).strftime("%Y-%m-%d %H:%M %Z")
        return utc, f"{shown} is in the future; fix: check the time"
    return utc, ""


def _assess(
    rows: Sequence[IncomingReading], times: list[datetime], rules: dict[AreaKey, _Rules]
) -> list[CheckedRow]:
    """One engine call per framework; rows come back in request order."""
    by_framework: dict[int, list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        by_framework[rules[row.area_key].framework_id].append(n)
    checked: dict[int, CheckedRow] = {}
    for numbers in by_framework.values():
        first = rules[rows[numbers[0]].area_key]
        batch = [
            engine.Reading(rows[n].indicator, rows[n].area, rows[n].value, times[n])
            for n in numbers
        ]
        results = engine.classify(first.pack, batch, first.table)
        for n, result in zip(numbers, results, strict=True):
            where = rules[rows[n].area_key]
            checked[n] = CheckedRow(where.area_id, where.framework_id, result)
    return [checked[n] for n in range(len(rows))]


def _stored(pk: int, given: IncomingReading, row: CheckedRow) -> StoredReading:
    result = row.result
    return StoredReading(
        pk,
        given.organisation,
        given.area,
        given.indicator,
        given.value,
        row.observed_at,
        ReadingKind.REPORT.value,
        result.level,
        result.colour,
        result.status.value,
        result.warnings,
    )
