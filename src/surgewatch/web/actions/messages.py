"""What the actions app tells people, and whom, through the notifications app.

Every message carries an event key built from the stored row that caused it,
so a rerun of the worker or a retried request never tells anyone twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from surgewatch.core.pack import Pack
from surgewatch.web.actions.models import ActionCard, Deadline, LevelChange
from surgewatch.web.notify.services import notify_role, notify_user


def level_changed(
    change: LevelChange, pack: Pack, opened: list[ActionCard], now: datetime, areas: list[str]
) -> None:
    """Seed 000, sections 7.1-7.3: named roles are told the status; card holders their actions."""
    org = change.organisation
    subject = f"{org.name} is now at OPEL {change.to_level} ({pack.colours[change.to_level]})"
    body = _change_text(change)
    if areas and change.is_escalation:
        body += f" Areas at OPEL {change.to_level} or above: {', '.join(areas)}."
    link = reverse("organisation-actions", args=[org.slug])
    for role in pack.level_change_notify.get(change.to_level, []):
        notify_role(
            org, role, subject=subject, body=body, link=link,
            event_key=f"level-change:{change.pk}", now=now,
        )  # fmt: skip
    _tell_card_holders(change, opened, now)


def area_level_changed(change: LevelChange, opened: list[ActionCard], now: datetime) -> None:
    """An area's level moved: the holders of its area-scoped roles there hear of their cards."""
    _tell_card_holders(change, opened, now)


def _tell_card_holders(change: LevelChange, opened: list[ActionCard], now: datetime) -> None:
    org, area = change.organisation, change.area
    where = f"{area.name}, {org.name}" if area else org.name
    for role, cards in _by_role(opened).items():
        notify_role(
            org,
            role,
            subject=f"{len(cards)} new action(s) for you at OPEL {change.to_level}: {where}",
            body="\n".join(f"- {_card_line(card)}" for card in cards),
            link=reverse("my-actions"),
            event_key=f"level-change:{change.pk}:cards",
            now=now,
            area=area,
        )


def _change_text(change: LevelChange) -> str:
    before = f"OPEL {change.from_level}" if change.from_level else "no level"
    words = "escalated" if change.is_escalation else "stood down"
    return (
        f"{change.organisation.name} {words} from {before} to OPEL {change.to_level} at "
        f"{local_text(change.at)} ({change.get_source_display().lower()})."
    )


def _by_role(cards: list[ActionCard]) -> dict[str, list[ActionCard]]:
    grouped: dict[str, list[ActionCard]] = defaultdict(list)
    for card in cards:
        grouped[card.role].append(card)
    return grouped


def _card_line(card: ActionCard) -> str:
    due = card.deadlines.order_by("due_at").first()
    return card.text + (f" (due {local_text(due.due_at)})" if due else "")


def local_text(at: datetime) -> str:
    return timezone.localtime(at).strftime("%a %d %b %H:%M %Z")


def deadline_missed(deadline: Deadline, now: datetime) -> None:
    """The reminder at the deadline: to the assignee, else everyone holding the role."""
    card = deadline.card
    subject = f"Overdue: {card.text[:80]}"
    body = f"Due {local_text(deadline.due_at)} at {_where(card)}.\n\n{card.text}"
    link = reverse("action-card", args=[card.pk])
    key = f"deadline:{deadline.pk}:reminder"
    if card.assignee is not None:
        notify_user(
            card.assignee, organisation=card.organisation, role=card.role, subject=subject,
            body=body, link=link, event_key=key, now=now,
        )  # fmt: skip
    else:
        notify_role(
            card.organisation, card.role, subject=subject, body=body, link=link,
            event_key=key, now=now, area=card.area,
        )  # fmt: skip


def deadline_escalated(deadline: Deadline, to_role: str, now: datetime) -> None:
    """Still not done after the pack's interval: to the role the card's role escalates to."""
    card = deadline.card
    notify_role(
        card.organisation,
        to_role,
        subject=f"Escalated: {card.role} has not done '{card.text[:60]}'",
        body=(
            f"Due {local_text(deadline.due_at)} at {_where(card)} and still not done.\n\n"
            f"{card.text}"
        ),
        link=reverse("action-card", args=[card.pk]),
        event_key=f"deadline:{deadline.pk}:escalated",
        now=now,
        area=card.area,
    )


def _where(card: ActionCard) -> str:
    return f"{card.area.name}, {card.organisation.name}" if card.area else card.organisation.name
