"""Reads for the exercise pages: runs, the channels each role's holders chose, the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404

from surgewatch.core.pack import Pack
from surgewatch.web.exercises.models import ExerciseRun, ExerciseRunQuerySet
from surgewatch.web.notify.models import Kind as ChannelKind
from surgewatch.web.notify.selectors import destinations, role_memberships
from surgewatch.web.orgs.models import Organisation

KIND_WORDS = {
    "reading": "Reading",
    "hold": "Level held",
    "hold-ended": "Hold passed",
    "declaration": "Declaration",
    "level": "Level change",
    "action-opened": "Action opened",
    "action-stood-down": "Action stood down",
    "deadline-met": "Deadline met",
    "deadline-missed": "Deadline missed",
    "action-done": "Action done",
    "escalated": "Escalated to the role above",
    "notification": "Notification (not sent)",
    "note": "Note",
    "protocol-started": "Protocol started",
    "protocol-step": "Protocol step",
    "protocol-review": "Protocol review",
    "protocol-stopped": "Protocol stopped",
    "report-due": "Reports due",
    "report-late": "Report late",
    "report-missing": "Report missing",
}


def runs_of(organisation: Organisation) -> ExerciseRunQuerySet:
    return ExerciseRun.objects.filter(organisation=organisation).latest_first()


def run_of(organisation: Organisation, run_id: int) -> ExerciseRun:
    return get_object_or_404(runs_of(organisation), pk=run_id)


def role_channels(organisation: Organisation, pack: Pack) -> dict[str, tuple[str, ...]]:
    """Per role, the kinds of channel its holders here chose (email when they chose none,
    as the live service sends); ``none`` for a role nobody holds. Read only."""
    found: dict[str, tuple[str, ...]] = {}
    for role in pack.role_ids:
        kinds = {
            d.kind
            for m in role_memberships(organisation, role, None)
            for d in destinations(m.user, [m])
        }
        found[role] = tuple(sorted(kinds)) or (ChannelKind.NONE.value,)
    return found


def overview(run: ExerciseRun) -> dict[str, Any]:
    """The run's simulated period and its counts, keyed for templates (no hyphens)."""
    result = run.result
    period = (
        datetime.fromisoformat(result["starts_at"]),
        datetime.fromisoformat(result["ends_at"]),
    )
    counts = {kind.replace("-", "_"): n for kind, n in result.get("summary", {}).items()}
    return {"period": period, "summary": counts}


@dataclass(frozen=True)
class Row:
    at: datetime
    kind: str
    kind_words: str
    area: str
    role: str
    level: int | None
    colour: str | None
    text: str
    detail: str
    channel: str
    due_at: datetime | None


def timeline(run: ExerciseRun, pack: Pack) -> list[Row]:
    """The stored events, with the pack's names for areas and roles, oldest first."""
    areas = {a.id: a.name for a in pack.organisation.areas}
    roles = {r.id: r.name for r in pack.roles}
    channels = dict(ChannelKind.choices)
    return [_row(e, areas, roles, channels) for e in run.result.get("events", [])]


def _row(
    e: dict[str, Any], areas: dict[str, str], roles: dict[str, str], channels: dict[str, str]
) -> Row:
    area, role, channel = e.get("area"), e.get("role"), e.get("channel")
    return Row(
        at=datetime.fromisoformat(e["at"]),
        kind=e["kind"],
        kind_words=KIND_WORDS.get(e["kind"], e["kind"]),
        area=areas.get(area, area) if area else "Organisation",
        role=roles.get(role, role) if role else "",
        level=e.get("level"),
        colour=e.get("colour"),
        text=e.get("text", ""),
        detail=e.get("detail", ""),
        channel=channels.get(channel, channel) if channel else "",
        due_at=datetime.fromisoformat(e["due_at"]) if e.get("due_at") else None,
    )
