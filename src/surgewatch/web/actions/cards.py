"""Writes that open and stand down cards; the callers hold the transaction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from surgewatch.core.acting import first_deadline, is_recurring
from surgewatch.core.actions import RoleAction
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import (
    ActionCard,
    CardEvent,
    CardEventKind,
    CardStatus,
    Deadline,
    LevelChange,
)
from surgewatch.web.actions.permissions import role_holders
from surgewatch.web.orgs.models import Organisation


def in_force(org: Organisation, role: str, action_id: str) -> QuerySet[ActionCard]:
    """The plan cards (not protocol steps) of one action in force for the organisation."""
    return ActionCard.objects.in_force().filter(
        organisation=org, role=role, action_id=action_id, protocol_run__isnull=True
    )


def open_card(
    org: Organisation,
    pack: Pack,
    ra: RoleAction,
    now: datetime,
    *,
    opened_by: LevelChange | None,
    note: str,
) -> ActionCard | None:
    """A card for the action, unless one is already in force (opened at a lower level)."""
    if in_force(org, ra.role, ra.action.id).exists():
        return None
    card = ActionCard.objects.create(
        organisation=org,
        role=ra.role,
        action_id=ra.action.id,
        level=ra.level,
        text=ra.action.text,
        opened_at=now,
        opened_by=opened_by,
        recurring=is_recurring(ra.action),
        assignee=_sole_holder(org, ra.role),
    )
    event(card, CardEventKind.OPENED, now, note=note)
    due = first_deadline(ra.action, now, ZoneInfo(pack.schedule.timezone))
    if due is not None:
        Deadline.objects.create(card=card, due_at=due)
    return card


def _sole_holder(org: Organisation, role: str) -> User | None:
    """Assign a card straight away when one person (not a deputy) holds the role."""
    holders = role_holders(org, role, deputies=False)
    return holders[0] if len(holders) == 1 else None


def stand_down_card(
    card: ActionCard, now: datetime, *, change: LevelChange | None = None, note: str = ""
) -> None:
    """Marked stood down, never deleted; a done card keeps its 'done'."""
    card.stood_down_at, card.stood_down_by = now, change
    if card.is_active:
        card.status = CardStatus.STOOD_DOWN
    card.save(update_fields=["stood_down_at", "stood_down_by", "status"])
    event(card, CardEventKind.STOOD_DOWN, now, note=note)


def event(
    card: ActionCard, kind: str, now: datetime, *, by: User | None = None, note: str = ""
) -> CardEvent:
    return CardEvent.objects.create(card=card, at=now, kind=kind, by=by, note=note)
