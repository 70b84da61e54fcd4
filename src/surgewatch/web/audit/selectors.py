"""Reading the audit log: filtered entries, and their changes as rows to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from surgewatch.web.audit.models import AuditEntry


def audit_log(
    *,
    model: str = "",
    who: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first, narrowed by record type, actor and a time range."""
    entries = AuditEntry.objects.all()
    if model:
        entries = entries.filter(model=model)
    if who:
        entries = entries.filter(actor__icontains=who)
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-pk")


# Shown for the side of a change that did not exist (before a creation, after a deletion).
ABSENT = "(none)"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


def field_changes(entry: AuditEntry) -> list[FieldChange]:
    """One row per field, before and after side by side."""
    before, after = entry.before, entry.after
    names = list(after or {}) + [name for name in before or {} if name not in (after or {})]
    return [FieldChange(n, _side(before, n), _side(after, n)) for n in names]


def _side(values: dict[str, Any] | None, name: str) -> Any:
    return ABSENT if values is None else values.get(name)
