"""The clocks the worker runs every minute: deadlines, reminders, escalations.

Each step claims its row with an UPDATE that applies only while the row is
still unclaimed (STYLE.md, after healthchecks), so two workers, or a worker
restarted mid-run, never remind or escalate twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.urls import reverse

from surgewatch.core.acting import next_daily
from surgewatch.core.pack import Action, Pack
from surgewatch.core.report_reminders import reminder_roles
from surgewatch.core.schedule import ReportState
from surgewatch.web.actions import messages
from surgewatch.web.actions.messages import local_text
from surgewatch.web.actions.models import ActionCard, CardEvent, CardEventKind, Deadline
from surgewatch.web.escalation.board import BoardCell, BoardFilters, BoardRow, organisation_board
from surgewatch.web.notify.services import notify_role
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of


def run_clocks(now: datetime) -> dict[str, int]:
    """One pass of every clock; returns what it did, for the worker's log."""
    done = {"deadlines_added": add_daily_deadlines(now), "reminded": 0, "escalated": 0}
    for deadline in _unmet(now).filter(reminded_at__isnull=True):
        done["reminded"] += _remind(deadline, now)
    for deadline in _unmet(now).filter(escalated_at__isnull=True):
        done["escalated"] += _escalate(deadline, now)
    done["report_reminders"] = sum(remind_late_reports(o, now) for o in Organisation.objects.all())
    return done


def _unmet(now: datetime) -> QuerySet[Deadline]:
    return (
        Deadline.objects.filter(met_at__isnull=True, due_at__lte=now)
        .filter(card__status__in=("open", "acknowledged"))
        .select_related("card__organisation__framework", "card__assignee", "card__area")
        .order_by("due_at", "pk")
    )


def add_daily_deadlines(now: datetime) -> int:
    """A daily card (update SHREWD by 10:30) gets its next deadline once the last has come."""
    added = 0
    cards = ActionCard.objects.active().filter(recurring=True, protocol_run__isnull=True)
    for card in cards.select_related("organisation__framework"):
        pack = pack_of(card.organisation.framework)
        action = _action(pack, card.action_id)
        last = card.deadlines.order_by("-due_at").first()
        if action is None or action.due_by is None or last is None or last.due_at > now:
            continue
        due = next_daily(action.due_by, last.due_at, ZoneInfo(pack.schedule.timezone))
        added += Deadline.objects.get_or_create(card=card, due_at=due)[1]
    return added


def _action(pack: Pack, action_id: str) -> Action | None:
    for levels in pack.actions.values():
        for entry in levels.values():
            for action in entry.actions:
                if action.id == action_id:
                    return action
    return None


def _remind(deadline: Deadline, now: datetime) -> int:
    claimed = Deadline.objects.filter(pk=deadline.pk, reminded_at__isnull=True)
    if not claimed.update(reminded_at=now):
        return 0
    messages.deadline_missed(deadline, now)
    _note(deadline.card, CardEventKind.REMINDED, now, f"due {deadline.due_at:%Y-%m-%d %H:%M} UTC")
    return 1


def _escalate(deadline: Deadline, now: datetime) -> int:
    """After the pack's ``action_timers.escalate_after_minutes``, to the role above."""
    card = deadline.card
    pack = pack_of(card.organisation.framework)
    wait = timedelta(minutes=pack.action_timers.escalate_after_minutes)
    if deadline.due_at + wait > now:
        return 0
    claimed = Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True)
    if not claimed.update(escalated_at=now):
        return 0
    above = _escalates_to(pack, card.role)
    if above is None:
        _note(card, CardEventKind.ESCALATED, now, "no role above in the plan: not sent on")
        return 1
    messages.deadline_escalated(deadline, above, now)
    _note(card, CardEventKind.ESCALATED, now, f"to {above}")
    return 1


def _escalates_to(pack: Pack, role: str) -> str | None:
    return next((r.escalates_to for r in pack.roles if r.id == role), None)


def _note(card: ActionCard, kind: str, now: datetime, note: str) -> None:
    CardEvent.objects.create(card=card, at=now, kind=kind, note=note)


def remind_late_reports(organisation: Organisation, now: datetime) -> int:
    """The 10:00 first assessment (seed 000, section 3.1): late reports remind the
    reporters; missing ones (past the grace) go to the role they escalate to.

    The notification event key names the cell, day and window, so each is sent once.
    """
    board = organisation_board(organisation, BoardFilters(), now)
    pack = board.status.pack
    sent = 0
    for row in board.rows:
        for cell in row.cells:
            state = cell.staleness.state
            if state not in (ReportState.LATE, ReportState.MISSING) or cell.not_reported:
                continue
            sent += _report_reminder(organisation, pack, row, cell, now)
    return sent


def _report_reminder(
    organisation: Organisation, pack: Pack, row: BoardRow, cell: BoardCell, now: datetime
) -> int:
    stale = cell.staleness
    assert stale.due_at is not None  # late and missing always name their deadline
    day = stale.due_at.astimezone(ZoneInfo(pack.schedule.timezone)).date().isoformat()
    late = stale.state == ReportState.LATE
    what = "late" if late else "missing"
    roles = reminder_roles(pack, cell.indicator, stale.state)
    area = organisation.areas.get(slug=row.area_slug)
    for role in roles:
        notify_role(
            organisation,
            role,
            subject=f"{cell.indicator.name} for {row.area_name} is {what}",
            body=(
                f"{stale.window_name} was due {local_text(stale.due_at)}; "
                f"no report for {cell.indicator.name} in {row.area_name} yet."
            ),
            link=reverse("report", args=[organisation.slug, row.area_slug]),
            event_key=f"report:{area.pk}:{cell.indicator.id}:{day}:{stale.window_name}:{what}",
            now=now,
            area=area if late else None,
        )
    return len(roles)
