"""Decisions and group meetings of the last day, from the decision log.

Issue 4: 'decisions in the last 24 hours'; seed 000, Appendix 4: 'all
decisions should be recorded'. The decisions app decides what 'since' means
(``decisions_since``: entries recorded since then, so one written up late
still reaches the next SitRep); the SitRep keeps those recorded by its moment,
so a SitRep for an earlier date does not show later entries.
"""

from __future__ import annotations

from datetime import datetime

from surgewatch.web.decisions.models import Decision, Meeting
from surgewatch.web.decisions.selectors import decisions_since, meetings_since
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.sitrep.records import DecisionRow, MeetingRow


def decisions(organisation: Organisation, since: datetime, at: datetime) -> tuple[DecisionRow, ...]:
    entries = decisions_since(organisation, since).filter(recorded_at__lte=at)
    return tuple(_decision(d) for d in entries)


def _decision(entry: Decision) -> DecisionRow:
    return DecisionRow(
        decided_at=entry.decided_at,
        decision=entry.decision,
        risk=entry.risk,
        decided_by=entry.decided_by,
        review_at=entry.review_at,
        recorded_at=entry.recorded_at,
        corrects=entry.corrects_id,
        number=entry.pk,
    )


def meetings(organisation: Organisation, since: datetime, at: datetime) -> tuple[MeetingRow, ...]:
    entries = meetings_since(organisation, since).filter(recorded_at__lte=at)
    return tuple(_meeting(m) for m in entries)


def _meeting(entry: Meeting) -> MeetingRow:
    return MeetingRow(
        convened_at=entry.convened_at,
        group=entry.group_name,
        chair=f"{entry.chair} ({entry.chair_role})",
        position=entry.position,
        agreed_level=entry.agreed_level,
        agreed_actions=tuple(f"{a.text} (owner: {a.owner})" for a in entry.actions.all()),
    )
