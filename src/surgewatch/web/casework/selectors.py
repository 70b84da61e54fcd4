"""Named reads: each record with its timer state, and the counts per area.

The states come from :mod:`surgewatch.improvement.timers` with the pack's timers; the
day is the pack's local calendar day, so a placement turns over its 3 weeks at UK
midnight, not UTC's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from surgewatch.improvement.timers import (
    CaseFacts,
    CaseworkTimers,
    Counts,
    DueState,
    DueStatus,
    PlacementFacts,
    PlacementStatus,
    Records,
    counts_by_area,
    due_status,
    placement_status,
    timers_for,
)
from surgewatch.web.casework.models import CareActAssessment, Placement, Review
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of

# The lists a page may be narrowed to: what needs doing first.
SHOWS = ("all", "overdue", "due_soon", "due")


def organisation_timers(organisation: Organisation) -> CaseworkTimers | None:
    return timers_for(pack_of(organisation.framework).id)


def placement_facts(p: Placement) -> PlacementFacts:
    queued = p.notice_queued_at
    sent = timezone.localtime(queued).date() if queued is not None else None
    return PlacementFacts(str(p.area_id), p.started_on, p.ended_on, p.disregard_starts_on, sent)


def care_act_facts(c: CareActAssessment) -> CaseFacts:
    return CaseFacts(str(c.area_id), c.discharged_on, c.assessed_on)


def review_facts(r: Review) -> CaseFacts:
    return CaseFacts(str(r.area_id), r.started_on, r.reviewed_on)


@dataclass(frozen=True)
class PlacementRow:
    record: Placement
    status: PlacementStatus


@dataclass(frozen=True)
class CaseRow:
    record: CareActAssessment | Review
    status: DueStatus


@dataclass(frozen=True)
class AreaCasework:
    placements: list[PlacementRow]
    care_act: list[CaseRow]
    reviews: list[CaseRow]

    def records(self) -> list[Placement | CareActAssessment | Review]:
        rows: list[PlacementRow | CaseRow] = [*self.placements, *self.care_act, *self.reviews]
        return [row.record for row in rows]


def area_casework(area: Area, timers: CaseworkTimers, today: date, show: str) -> AreaCasework:
    """The area's open records with their states, most urgent first, narrowed to ``show``."""
    placements = [
        PlacementRow(p, placement_status(placement_facts(p), timers.placements, today))
        for p in Placement.objects.open().filter(area=area).select_related("notice_message")
    ]
    placements.sort(key=lambda row: row.record.started_on)
    care_act = _case_rows(
        CareActAssessment.objects.open().filter(area=area),
        lambda c: due_status(care_act_facts(c), timers.care_act_assessments, today),
    )
    reviews = _case_rows(
        Review.objects.open().filter(area=area),
        lambda r: due_status(review_facts(r), timers.reviews, today),
    )
    if show != "all":
        placements = [row for row in placements if _placement_matches(row.status, show)]
        care_act = [row for row in care_act if row.status.state == show]
        reviews = [row for row in reviews if row.status.state == show]
    return AreaCasework(placements, care_act, reviews)


def _case_rows(records: Iterable[Any], status: Callable[[Any], DueStatus]) -> list[CaseRow]:
    rows = [CaseRow(record, status(record)) for record in records]
    return sorted(rows, key=lambda row: row.status.due_by)


def _placement_matches(status: PlacementStatus, show: str) -> bool:
    """'overdue' lists placements over their weeks or with the notice overdue; 'due soon'
    those approaching them; 'due' those whose provider notice is due."""
    if show == DueState.OVERDUE:
        return status.drift == "over" or status.notice == "overdue"
    if show == DueState.DUE_SOON:
        return status.drift == "approaching"
    return status.notice == "due"


def organisation_counts(
    organisation: Organisation, timers: CaseworkTimers, today: date
) -> dict[int, Counts]:
    """Counts per active area, keyed by area primary key; open records only."""
    areas = list(organisation.areas.filter(active=True))
    ids = [a.pk for a in areas]
    records = Records(
        placements=[placement_facts(p) for p in Placement.objects.open().filter(area_id__in=ids)],
        care_act_assessments=[
            care_act_facts(c) for c in CareActAssessment.objects.open().filter(area_id__in=ids)
        ],
        reviews=[review_facts(r) for r in Review.objects.open().filter(area_id__in=ids)],
        areas=[str(a.pk) for a in areas],
    )
    counted = counts_by_area(records, timers, today)
    return {a.pk: counted[str(a.pk)] for a in areas}
