"""Open and overdue actions, and level changes, as they stood at the SitRep's moment.

Issue 4: 'open and overdue actions'. A card is open at ``at`` when it was
opened by then, had not been stood down by then, and had not been closed
(done or not applicable) by then: a card closed later still counts, read from
its history (CardEvent). It is overdue when one of its deadlines was due
before ``at`` and had not been met by then. Overdue actions come first.
The assignee shown is the card's assignee now: assignments are not replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from surgewatch.web.actions.models import (
    ACTIVE_STATUSES,
    ActionCard,
    CardEvent,
    CardEventKind,
    CardStatus,
    Deadline,
    LevelChange,
)
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.sitrep.records import ActionRow, LevelChangeRow

CLOSING = (CardEventKind.DONE, CardEventKind.NOT_APPLICABLE)
NEVER = datetime.max.replace(tzinfo=UTC)


def open_actions(
    organisation: Organisation, role_names: Mapping[str, str], at: datetime
) -> tuple[ActionRow, ...]:
    """Cards active at ``at``: overdue first, then by next deadline, then oldest first."""
    cards = _active_at(organisation, at).select_related("assignee", "area")
    rows = [_row(card, role_names, at) for card in cards.prefetch_related("deadlines", "events")]
    return tuple(sorted(rows, key=lambda r: (not r.overdue, r.due_at or NEVER, r.opened_at)))


def _active_at(organisation: Organisation, at: datetime) -> QuerySet[ActionCard]:
    closing = CardEvent.objects.filter(card=OuterRef("pk"), kind__in=CLOSING)
    # A stood-down card was active when it stood down (a done one keeps 'done').
    active_then = Q(status__in=[*ACTIVE_STATUSES, CardStatus.STOOD_DOWN])
    cards = ActionCard.objects.filter(organisation=organisation, opened_at__lte=at)
    cards = cards.exclude(stood_down_at__lte=at).exclude(Exists(closing.filter(at__lte=at)))
    return cards.filter(active_then | Q(Exists(closing.filter(at__gt=at))))


def _row(card: ActionCard, role_names: Mapping[str, str], at: datetime) -> ActionRow:
    unmet = sorted(d.due_at for d in card.deadlines.all() if _unmet_at(d, at))
    return ActionRow(
        role=_role(card, role_names),
        text=card.text,
        level=card.level,
        status=_status_at(card, at),
        assignee=_name(card),
        opened_at=card.opened_at,
        due_at=unmet[0] if unmet else None,
        overdue=bool(unmet) and unmet[0] < at,
    )


def _role(card: ActionCard, role_names: Mapping[str, str]) -> str:
    """The role's name, with the area when the card is an area team's (pack role scope)."""
    name = role_names.get(card.role, card.role)
    return name if card.area is None else f"{name} ({card.area.name})"


def _unmet_at(deadline: Deadline, at: datetime) -> bool:
    return deadline.met_at is None or deadline.met_at > at


def _status_at(card: ActionCard, at: datetime) -> str:
    """'Acknowledged' once acknowledged by ``at``; a card without history shows its status."""
    acknowledged = [e.at for e in card.events.all() if e.kind == CardEventKind.ACKNOWLEDGED]
    if acknowledged:
        return "Acknowledged" if min(acknowledged) <= at else "Open"
    return "Acknowledged" if card.status == CardStatus.ACKNOWLEDGED else "Open"


def _name(card: ActionCard) -> str:
    if card.assignee is None:
        return "Unassigned"
    return card.assignee.get_full_name() or card.assignee.get_username()


def level_changes(
    organisation: Organisation, since: datetime, at: datetime
) -> tuple[LevelChangeRow, ...]:
    """Changes of the acting level after ``since`` and up to ``at``, oldest first."""
    changes = LevelChange.objects.filter(
        organisation=organisation, area__isnull=True, at__gt=since, at__lte=at
    )
    return tuple(
        LevelChangeRow(c.at, c.from_level, c.to_level, c.get_source_display())
        for c in changes.order_by("at", "pk")
    )


def acting_level_at(organisation: Organisation, at: datetime) -> int | None:
    """The level whose actions were in force: the last level change at or before ``at``."""
    changes = LevelChange.objects.filter(organisation=organisation, area__isnull=True, at__lte=at)
    return changes.order_by("-at", "-pk").values_list("to_level", flat=True).first()
