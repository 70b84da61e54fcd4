"""Writing checked reports in bulk: the rows, then the current reading of each cell.

The caller has locked the areas, checked every row and asked the engine for
its level; this module only writes, in a handful of statements per batch.
On PostgreSQL the rows go in by COPY (ids drawn from the table's sequence
first, since COPY returns none); elsewhere by one multi-row INSERT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import connection, models
from django.db.backends.utils import CursorWrapper

from surgewatch.core import assess as engine
from surgewatch.web.reporting.models import CurrentReading, Reading, ReadingKind

CellKey = tuple[int, str]  # (area id, indicator id)
_REPORT = ReadingKind.REPORT.value  # read once: an enum attribute costs a call per row
# Columns a report sets; the rest (supersedes, confirms) stay NULL.
_COPY_FIELDS = (
    "id",
    "indicator",
    "area",
    "value",
    "observed_at",
    "kind",
    "submitted_by",
    "submitted_at",
    "reason",
    "framework",
    "level",
    "colour",
    "cell_status",
    "warnings",
)


class CheckedRow(NamedTuple):
    """A row the engine has assessed; its reading's time is in UTC.

    A named tuple: immutable, and far cheaper per row than a frozen dataclass.
    """

    area_id: int
    framework_id: int
    result: engine.ReadingResult

    @property
    def indicator(self) -> str:
        return self.result.reading.indicator

    @property
    def observed_at(self) -> datetime:
        at = self.result.reading.observed_at
        assert at is not None  # every API row has a time
        return at


def insert_reports(user_id: int, rows: list[CheckedRow], now: datetime) -> list[int]:
    """Store the rows as reports submitted by ``user_id`` at ``now``; their ids, in order."""
    if connection.vendor == "postgresql":
        return _copy(user_id, rows, now)
    made = Reading.objects.bulk_create([_model(user_id, row, now) for row in rows])
    return [r.pk for r in made]


def _copy(user_id: int, rows: list[CheckedRow], now: datetime) -> list[int]:
    table = Reading._meta.db_table
    columns = ", ".join(_column(Reading, f) for f in _COPY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [_id_sequence(cursor, table), len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row(_copy_row(pk, user_id, row, now))
    return ids


_sequences: dict[str, str] = {}


def _id_sequence(cursor: CursorWrapper, table: str) -> str:
    """The sequence behind ``table.id``, looked up once: asked inside the nextval
    query, PostgreSQL resolves it again for every row, which costs more than the COPY."""
    if table not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def _copy_row(pk: int, user_id: int, row: CheckedRow, now: datetime) -> tuple[object, ...]:
    result = row.result
    given = result.reading
    return (
        pk,
        given.indicator,
        row.area_id,
        given.value,
        given.observed_at,
        _REPORT,
        user_id,
        now,
        "",
        row.framework_id,
        result.level,
        result.colour,
        result.status.value,
        json.dumps(result.warnings) if result.warnings else "[]",
    )


def _model(user_id: int, row: CheckedRow, now: datetime) -> Reading:
    result = row.result
    return Reading(
        indicator=row.indicator,
        area_id=row.area_id,
        value=result.reading.value,
        observed_at=row.observed_at,
        kind=ReadingKind.REPORT,
        submitted_by_id=user_id,
        submitted_at=now,
        framework_id=row.framework_id,
        level=result.level,
        colour=result.colour,
        cell_status=result.status.value,
        warnings=list(result.warnings),
    )


@dataclass
class _Standing:
    """A cell's current reading as ids, moved in memory and written once at the end."""

    pk: int | None
    reading_id: int
    observed_at: datetime
    previous_id: int | None


def advance_currents(rows: list[CheckedRow], ids: list[int]) -> None:
    """Move each touched cell to its latest observation (the caller holds the area locks).

    Rows are taken in observation order, as if the feed had arrived in time
    order, so ``previous`` is the reading observed just before the one that
    now stands. A report at the same time as the standing one replaces it
    (the later submission wins), as in ``reporting.services.submit_readings``.
    """
    standing = _standing({(row.area_id, row.indicator) for row in rows})
    changed: set[CellKey] = set()
    for pk, row in sorted(zip(ids, rows, strict=True), key=lambda item: item[1].observed_at):
        key, at = (row.area_id, row.indicator), row.observed_at
        current = standing.get(key)
        if current is None:
            standing[key] = _Standing(None, pk, at, None)
        elif at >= current.observed_at:
            current.previous_id = current.reading_id
            current.reading_id, current.observed_at = pk, at
        else:
            continue
        changed.add(key)
    _write_currents({key: standing[key] for key in changed})


def _standing(cells: set[CellKey]) -> dict[CellKey, _Standing]:
    rows = CurrentReading.objects.filter(
        area_id__in={a for a, _ in cells}, indicator__in={i for _, i in cells}
    ).values_list("pk", "area_id", "indicator", "reading_id", "reading__observed_at", "previous_id")
    return {
        (area, indicator): _Standing(pk, reading, at, previous)
        for pk, area, indicator, reading, at, previous in rows
        if (area, indicator) in cells
    }


def _write_currents(cells: dict[CellKey, _Standing]) -> None:
    """New cells in one INSERT, moved ones in one UPDATE (the ORM's bulk_update builds
    a CASE per row and field, which costs more in Python than the COPY)."""
    CurrentReading.objects.bulk_create(
        CurrentReading(area_id=a, indicator=i, reading_id=s.reading_id, previous_id=s.previous_id)
        for (a, i), s in cells.items()
        if s.pk is None
    )
    moved = [(s.reading_id, s.previous_id, s.pk) for s in cells.values() if s.pk is not None]
    if not moved:
        return
    table = CurrentReading._meta.db_table
    reading, previous = (_column(CurrentReading, f) for f in ("reading", "previous"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement, not one per cell
            cursor.execute(
                f"UPDATE {table} AS c SET {reading} = v.r, {previous} = v.p "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(r, p, id) "
                "WHERE c.id = v.id",
                [list(column) for column in zip(*moved, strict=True)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET {reading} = %s, {previous} = %s WHERE id = %s", moved
            )


def _column(model: type[models.Model], name: str) -> str:
    """A field's column, read from the model, so the raw SQL follows any rename."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise LookupError(f"{model.__name__}.{name} has no column")
    return field.column
