"""The audit log as CSV, streamed: every column of every entry matching the filters.

Times are UK wall-clock in ISO 8601 with their UTC offset; before and after
are the stored JSON. Cells that a spreadsheet would run as a formula are
quoted, as in the decision log's export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone

from surgewatch.web.audit.models import AuditEntry
from surgewatch.web.decisions.export import FORMULA_STARTS

COLUMNS = (
    "id",
    "at",
    "actor",
    "user_id",
    "token_id",
    "action",
    "model",
    "object_id",
    "before",
    "after",
    "via",
    "request_method",
    "request_path",
)


class _Echo:
    def write(self, text: str) -> str:
        return text


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for entry in entries:
        yield writer.writerow([_cell(value) for value in row(entry)])


def row(entry: AuditEntry) -> list[object]:
    return [
        entry.pk,
        timezone.localtime(entry.at).isoformat(),
        entry.actor,
        entry.user_id,
        entry.token_id,
        entry.action,
        entry.model,
        entry.object_id,
        _json(entry.before),
        _json(entry.after),
        entry.via,
        entry.request_method,
        entry.request_path,
    ]


def _json(values: object) -> str:
    return "" if values is None else json.dumps(values, sort_keys=True)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
