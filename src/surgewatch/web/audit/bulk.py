"""Entries for the write paths that send no model signals.

``QuerySet.bulk_create`` and ``QuerySet.update`` (and ``bulk_update``, which
calls ``update``) are wrapped once, for every audited model, so the apps that
use them (notification preferences, call attendees, clocks' claims, import
batches, the demo loader) need no edits. The API's readings path writes with
COPY (readings) and a raw UPDATE (current readings, a derived index that is
not audited: see ``capture._NOT_AUDITED``); :data:`RAW_SQL_PATHS` wraps both
functions. ``tests/web/test_audit.py`` fails if a raw write appears anywhere
else, so a new one cannot slip past the log.

Inserts in bulk (``bulk_create``, COPY) get one entry per statement listing
the new rows' ids; updates get one entry per changed row with its before and
after. Why the difference: a bulk insert's rows are new, so there is no
'before', and their values are the rows themselves, which the apps that
insert in bulk (readings, attendees, agreed actions) never change afterwards.
Copying every value into the log doubled the rows the busiest path writes and,
measured with ``bench/bench_ingest.py``, cut the API from 37% of COPY's
throughput to 7-8%; the id list keeps it to one small row per request (3-5%
slower than with no log). Each entry goes in inside the same transaction as
the rows it describes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from typing import Any

from django.db import connections, models, transaction
from django.db.models.query import QuerySet
from django.utils import timezone

from surgewatch.web.audit import capture, context
from surgewatch.web.audit.models import AuditAction, AuditVia

# Inside a wrapped raw path, the ORM calls it makes are recorded by the wrapper.
_suppressed: ContextVar[bool] = ContextVar("surgewatch_audit_suppressed", default=False)
_originals: dict[str, Callable[..., Any]] = {}


@contextmanager
def _recorded_by_caller() -> Iterator[None]:
    reset = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(reset)


def _audits(model: type[models.Model]) -> bool:
    return capture.is_audited(model) and not _suppressed.get()


def install() -> None:
    """Wrap the ORM's bulk paths and the raw-SQL functions (once per process)."""
    if "update" in _originals:
        return
    _originals["update"] = QuerySet.update
    _originals["bulk_create"] = QuerySet.bulk_create
    QuerySet.update = _update  # type: ignore[method-assign]
    QuerySet.bulk_create = _bulk_create  # type: ignore[method-assign]
    for module_name, function_name in RAW_SQL_PATHS:
        module = import_module(module_name)
        original = getattr(module, function_name)
        setattr(module, function_name, RAW_SQL_PATHS[(module_name, function_name)](original))


def _bulk_create(
    self: QuerySet[Any], objs: Iterable[models.Model], *args: Any, **kwargs: Any
) -> Any:
    original = _originals["bulk_create"]
    if not _audits(self.model):
        return original(self, objs, *args, **kwargs)
    with transaction.atomic(using=self.db, savepoint=False):
        made = original(self, objs, *args, **kwargs)
        inserted(self.model, [o.pk for o in made], self.db, AuditVia.BULK_CREATE)
    return made


def _update(self: QuerySet[Any], **kwargs: Any) -> int:
    original = _originals["update"]
    if not _audits(self.model) or self.query.is_sliced:  # Django refuses a sliced update
        return int(original(self, **kwargs))
    names = [self.model._meta.get_field(name).name for name in kwargs]
    with transaction.atomic(using=self.db, savepoint=False):
        # Locked in primary-key order, so 'before' is what the UPDATE changes (not an
        # older version) and two writers lock rows in one order.
        pks = list(_lockable(self).order_by("pk").values_list("pk", flat=True))
        before = capture.stored_values(self.model, pks, self.db, names)
        count = int(original(self, **kwargs))
        after = capture.stored_values(self.model, pks, self.db, names)
        changed(self.model, before, after, self.db, AuditVia.UPDATE)
    return count


def _lockable(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """FOR UPDATE where PostgreSQL allows it (SQLite locks the whole database anyway)."""
    if connections[queryset.db].vendor != "postgresql" or queryset.query.distinct:
        return queryset
    return queryset.select_for_update(of=("self",))


def inserted(model: type[models.Model], ids: Sequence[object], using: str, via: AuditVia) -> None:
    """One entry for a bulk insert: the new rows' ids, in insertion order."""
    if ids:
        after = {"ids": list(ids)}
        capture.write([capture.entry(model, "", AuditAction.CREATED, after=after, via=via)], using)


def changed(
    model: type[models.Model],
    before: dict[object, capture.Values],
    after: dict[object, capture.Values],
    using: str,
    via: AuditVia,
) -> None:
    """Entries for rows whose values differ; a row that vanished was deleted."""
    who, now = context.current(), timezone.now()
    entries = []
    for pk, old in before.items():
        new = after.get(pk)
        if new is None:
            entries.append(
                capture.entry(model, pk, AuditAction.DELETED, before=old, via=via, who=who, at=now)
            )
            continue
        old_changed, new_changed = capture.changed(old, new)
        if new_changed:
            entries.append(
                capture.entry(
                    model,
                    pk,
                    AuditAction.CHANGED,
                    before=old_changed,
                    after=new_changed,
                    via=via,
                    who=who,
                    at=now,
                )
            )
    for pk in after.keys() - before.keys():
        entries.append(
            capture.entry(model, pk, AuditAction.CREATED, after=after[pk], via=via, who=who, at=now)
        )
    capture.write(entries, using)


# --- the API's readings path (surgewatch.web.api.store) ------------------------------------


def _insert_reports(original: Callable[..., list[int]]) -> Callable[..., list[int]]:
    """Readings written by COPY (PostgreSQL) or one bulk insert: one entry per request."""

    @functools.wraps(original)
    def insert_reports(user_id: int, rows: list[Any], now: Any) -> list[int]:
        from surgewatch.web.reporting.models import Reading

        recording = _audits(Reading)
        with _recorded_by_caller():
            ids = original(user_id, rows, now)
        if recording:
            inserted(Reading, ids, "default", AuditVia.COPY)
        return ids

    return insert_reports


def _advance_currents(original: Callable[..., None]) -> Callable[..., None]:
    """Current readings moved by a raw UPDATE: the touched cells before and after."""

    @functools.wraps(original)
    def advance_currents(rows: list[Any], ids: list[int]) -> None:
        from surgewatch.web.reporting.models import CurrentReading

        if not _audits(CurrentReading):
            original(rows, ids)
            return
        cells = CurrentReading.objects.filter(
            area_id__in={row.area_id for row in rows}, indicator__in={row.indicator for row in rows}
        )
        before = _cell_values(cells)
        with _recorded_by_caller():
            original(rows, ids)
        changed(CurrentReading, before, _cell_values(cells), "default", AuditVia.COPY)

    return advance_currents


def _cell_values(cells: QuerySet[Any]) -> dict[object, capture.Values]:
    fields = capture.fields_of(cells.model)
    return {
        row["id"]: {f.name: row[f.attname] for f in fields}
        for row in cells.values(*[f.attname for f in fields])
    }


# Every function that writes audited tables with raw SQL, and its wrapper.
RAW_SQL_PATHS: dict[tuple[str, str], Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    ("surgewatch.web.api.store", "insert_reports"): _insert_reports,
    ("surgewatch.web.api.store", "advance_currents"): _advance_currents,
}
