"""Reads for the wash-up board. Counts and the Pareto are for everyone in the
organisation; patient-level rows (cases and their revisions) only for the areas a user
may open, and every such read is logged by the view (``audit.capture.viewed``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from surgewatch.improvement import washup
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.washup.data import names, washup_data
from surgewatch.web.washup.models import (
    REVISED_FIELDS,
    BlockerEscalation,
    WashupCase,
    WashupCaseRevision,
)


@dataclass(frozen=True)
class CaseRow:
    case: WashupCase
    shortfall: int
    overdue: bool


@dataclass(frozen=True)
class AreaCounts:
    area: Area
    open: int
    shortfall: int
    overdue: int


def case_row(case: WashupCase, today: date) -> CaseRow:
    data = washup_data()
    gap = washup.shortfall(data, case.ideal_outcome, case.expected_outcome)
    late = not case.is_closed and washup.is_overdue(
        case.action_deadline, case.action_done_on, today
    )
    return CaseRow(case, gap, late)


def open_rows(organisation: Organisation, today: date) -> list[CaseRow]:
    cases = WashupCase.objects.filter(organisation=organisation).open().for_board()
    return [case_row(c, today) for c in cases]


def area_counts(organisation: Organisation, rows: list[CaseRow]) -> list[AreaCounts]:
    """Per active area: open cases, those falling short of the ideal, overdue actions."""
    areas = organisation.areas.filter(active=True).order_by("name")
    return [
        AreaCounts(
            area,
            sum(1 for r in rows if r.case.area_id == area.pk),
            sum(1 for r in rows if r.case.area_id == area.pk and r.shortfall),
            sum(1 for r in rows if r.case.area_id == area.pk and r.overdue),
        )
        for area in areas
    ]


def cases_in_period(organisation: Organisation, start: date, end: date) -> list[WashupCase]:
    """Cases on the board at any time in ``start``..``end``: added by its end, not
    discharged before its start (the weekly cycle looks at what the board held)."""
    cases = WashupCase.objects.filter(organisation=organisation, created_at__date__lte=end)
    cases = cases.filter(Q(discharge_date__isnull=True) | Q(discharge_date__gte=start))
    return list(cases.select_related("area").order_by("area__name", "pk"))


def blocker_pareto(cases: list[WashupCase]) -> list[washup.ParetoRow]:
    order = [b.id for b in washup_data().blockers]
    return washup.pareto((c.blocker for c in cases), order)


def escalations(organisation: Organisation) -> list[BlockerEscalation]:
    found = BlockerEscalation.objects.filter(organisation=organisation)
    related = found.select_related("area", "escalated_by", "card")
    return list(related.order_by("-escalated_at", "-pk")[:20])


def delay_records(cases: list[WashupCase], start: date, end: date) -> list[washup.DelayRecord]:
    """Each case's delayed days in the period, for the DTOC comparison (counts only)."""
    records = []
    for case in cases:
        days = washup.delayed_days(case.fit_for_discharge_on, case.discharge_date, start, end)
        if days and case.delay_attribution:
            records.append(washup.DelayRecord(case.area.slug, case.delay_attribution, days))
    return records


# Fields holding an outcome, blocker or attribution id, shown by name.
_NAMED_FIELDS = frozenset(
    {"ideal_outcome", "expected_outcome", "actual_outcome", "blocker", "delay_attribution"}
)
NOT_GIVEN = "(none)"


@dataclass(frozen=True)
class FieldChange:
    """One field a save changed, both sides as text (never colour alone)."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    revision: WashupCaseRevision
    what: str
    changes: list[FieldChange]


def revisions(case: WashupCase) -> list[WashupCaseRevision]:
    """Every revision of ``case``, oldest first. Patient-level: the view logs the read."""
    return list(case.revisions.for_history())


def history(found: list[WashupCaseRevision], labels: Mapping[str, str]) -> list[HistoryEntry]:
    """Newest first: each revision, what it did, and the fields changed from the one
    before it (``labels`` name the fields as the form does)."""
    entries: list[HistoryEntry] = []
    previous: WashupCaseRevision | None = None
    for revision in found:
        changes = [] if previous is None else _changes(previous, revision, labels)
        entries.append(HistoryEntry(revision, _what(previous, revision), changes))
        previous = revision
    return entries[::-1]


def _what(previous: WashupCaseRevision | None, revision: WashupCaseRevision) -> str:
    closed = revision.closed_at is not None
    if previous is None:
        return "Added to the board and closed" if closed else "Added to the board"
    was_closed = previous.closed_at is not None
    if closed != was_closed:
        return "Closed" if closed else "Opened again"
    return "Updated"


def _changes(
    before: WashupCaseRevision, after: WashupCaseRevision, labels: Mapping[str, str]
) -> list[FieldChange]:
    shown = names()
    return [
        FieldChange(
            labels.get(field, field),
            _text(field, getattr(before, field), shown),
            _text(field, getattr(after, field), shown),
        )
        for field in REVISED_FIELDS
        if getattr(before, field) != getattr(after, field)
    ]


def _text(field: str, value: object, shown: Mapping[str, str]) -> str:
    if value is None or value == "":
        return NOT_GIVEN
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if field in _NAMED_FIELDS:
        return shown.get(str(value), str(value))
    return str(value)
