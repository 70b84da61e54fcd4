"""The decision log as CSV: every field of every entry, with the level standing then.

Seed 000, Appendix 4: the documentation 'will be a useful resource for
learning and evaluation', so the export is complete and opens in a
spreadsheet. Times are UK wall-clock in ISO 8601 with their UTC offset, so
they read as people saw them and stay unambiguous across clock changes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.utils import timezone

from surgewatch.web.decisions import snapshot
from surgewatch.web.decisions.models import Decision

COLUMNS = (
    "id",
    "decided_at",
    "decision",
    "risk",
    "identified_by",
    "measured_by",
    "external_factors",
    "decided_by",
    "review_at",
    "recorded_by",
    "recorded_at",
    "level_at_time",
    "level_source",
    "declared_level",
    "suggested_level",
    "score",
    "framework",
    "snapshot_captured_at",
    "corrects",
    "corrected_by",
    "correction_reason",
)
# A cell starting with one of these is run as a formula by spreadsheets;
# free text typed into the log must never be.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_csv(out: Writable, decisions: Iterable[Decision]) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in decisions:
        writer.writerow([_cell(value) for value in row(entry)])


def row(entry: Decision) -> list[object]:
    """One entry in ``COLUMNS`` order."""
    taken = snapshot.read(entry.snapshot)
    corrected_by = entry.corrected_by
    return [
        entry.pk,
        _time(entry.decided_at),
        entry.decision,
        entry.risk,
        entry.identified_by,
        entry.measured_by,
        entry.external_factors,
        entry.decided_by,
        _time(entry.review_at),
        entry.recorded_by.get_username(),
        _time(entry.recorded_at),
        entry.snapshot_level,
        taken.standing_source,
        taken.declared.level if taken.declared else None,
        taken.suggested_level,
        taken.score,
        f"{taken.pack_id} v{taken.version}",
        _time(taken.captured_at),
        entry.corrects_id,
        corrected_by.pk if corrected_by else None,
        entry.correction_reason,
    ]


def _time(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
