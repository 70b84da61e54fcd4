"""Named reads for the decision log and group meetings.

``decisions_since`` and ``meetings_since`` are what the SitRep reads: keep
their names and meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db.models import QuerySet

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions import snapshot
from surgewatch.web.decisions.models import Decision, Meeting, ReviewState
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.services import VIEWER_ROLE

Entry = TypeVar("Entry", Decision, Meeting)


def decision_log(
    organisation: Organisation, *, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Decision]:
    """The log newest first, by when each decision was made: ``since <= decided_at < until``."""
    log = Decision.objects.filter(organisation=organisation).for_log()
    if since is not None:
        log = log.filter(decided_at__gte=since)
    if until is not None:
        log = log.filter(decided_at__lt=until)
    return log


def decisions_since(organisation: Organisation, since: datetime) -> QuerySet[Decision]:
    """Entries recorded at or after ``since``, oldest decision first, corrections included.

    Judged by when an entry was recorded, not when the decision was made, so a
    decision written up late still reaches the next SitRep instead of falling
    between two.
    """
    entries = Decision.objects.filter(organisation=organisation, recorded_at__gte=since)
    related = entries.select_related("recorded_by", "corrects", "correction")
    return related.order_by("decided_at", "pk")


def meeting_log(organisation: Organisation) -> QuerySet[Meeting]:
    return Meeting.objects.filter(organisation=organisation).for_log()


def meetings_since(organisation: Organisation, since: datetime) -> QuerySet[Meeting]:
    """Meetings recorded at or after ``since``, earliest convened first, as ``decisions_since``."""
    meetings = Meeting.objects.filter(organisation=organisation, recorded_at__gte=since)
    related = meetings.select_related("recorded_by", "corrects", "correction")
    return related.prefetch_related("attendees", "actions").order_by("convened_at", "pk")


def latest_version(entry: Entry) -> Entry:
    """The entry at the end of its chain of corrections (itself when never corrected)."""
    while (later := entry.corrected_by) is not None:
        entry = later
    return entry


@dataclass(frozen=True)
class LogEntry:
    """A decision as the log lists it: its standing level then and its review state now."""

    decision: Decision
    review: ReviewState
    standing_source: str


def log_entries(decisions: Iterable[Decision], now: datetime) -> list[LogEntry]:
    return [
        LogEntry(d, d.review_state(now), snapshot.read(d.snapshot).standing_source)
        for d in decisions
    ]


def describe_person(user: User, organisation: Organisation) -> str:
    """A person as the log names them: 'Jo Bloggs (Short-Term Pathway Service Manager)'.

    Pre-fills 'who decided' and 'who convened'; the person may change it,
    because the one recording is not always the one who decided.
    """
    name = user.get_full_name() or user.get_username()
    role_names = {r.id: r.name for r in pack_of(organisation.framework).roles}
    held = user.memberships.filter(organisation=organisation).exclude(role=VIEWER_ROLE)
    roles = sorted({role_names.get(r, r) for r in held.values_list("role", flat=True)})
    return f"{name} ({', '.join(roles)})" if roles else name
