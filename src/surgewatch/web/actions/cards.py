"""Writes that open and stand down cards; the callers hold the transaction."""

from __future__ import annotations

from dataclasses import dataclass
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
from surgewatch.web.actions.permissions import area_holders, role_holders
from surgewatch.web.orgs.models import Area, Organisation


@dataclass(frozen=True)
class FollowUp:
    """A one-off item for one person with one due time (a meeting's agreed action,
    a decision's review). ``role`` is a role the person holds, so a missed one
    escalates to the role above as plan cards do."""

    organisation: Organisation
    source: str
    action_id: str
    text: str
    level: int
    role: str
    assignee: User
    due_at: datetime
    note: str


def in_force(
    org: Organisation, role: str, action_id: str, area: Area | None = None
) -> QuerySet[ActionCard]:
    """The plan cards (not protocol steps) of one action in force for the organisation
    (``area`` None: its organisation-wide cards) or for one of its areas."""
    cards = ActionCard.objects.in_force().filter(
        organisation=org, role=role, action_id=action_id, protocol_run__isnull=True
    )
    return cards.filter(area=area) if area is not None else cards.filter(area__isnull=True)


def is_covered(org: Organisation, role: str, action_id: str, area: Area | None) -> bool:
    """An organisation-wide card in force covers every area; an area's card covers that area.

    So nobody holds the same action at the same time from both the organisation's
    level and an area's (a card opened before the pack made the role area-scoped
    keeps covering until it stands down).
    """
    if in_force(org, role, action_id).exists():
        return True
    return area is not None and in_force(org, role, action_id, area).exists()


def open_card(
    org: Organisation,
    pack: Pack,
    ra: RoleAction,
    now: datetime,
    *,
    opened_by: LevelChange | None,
    note: str,
    area: Area | None = None,
) -> ActionCard | None:
    """A card for the action, unless one already covers it (opened at a lower level)."""
    if is_covered(org, ra.role, ra.action.id, area):
        return None
    card = ActionCard.objects.create(
        organisation=org,
        area=area,
        role=ra.role,
        action_id=ra.action.id,
        level=ra.level,
        text=ra.action.text,
        opened_at=now,
        opened_by=opened_by,
        recurring=is_recurring(ra.action),
        assignee=_sole_holder(org, ra.role, area),
    )
    event(card, CardEventKind.OPENED, now, note=note)
    due = first_deadline(ra.action, now, ZoneInfo(pack.schedule.timezone))
    if due is not None:
        Deadline.objects.create(card=card, due_at=due)
    return card


def open_follow_up(item: FollowUp, now: datetime) -> ActionCard:
    """A card for an action agreed at a meeting or a decision's review: one person's, due once."""
    card = ActionCard.objects.create(
        organisation=item.organisation,
        source=item.source,
        role=item.role,
        action_id=item.action_id,
        level=item.level,
        text=item.text,
        opened_at=now,
        assignee=item.assignee,
    )
    event(card, CardEventKind.OPENED, now, note=item.note)
    Deadline.objects.create(card=card, due_at=item.due_at)
    return card


def _sole_holder(org: Organisation, role: str, area: Area | None) -> User | None:
    """Assign a card straight away when one person (not a deputy) holds the role: for an
    area's card, the one holding it in that area, else the one holding it organisation-wide."""
    if area is not None:
        local = area_holders(org, role, area, deputies=False)
        if local:
            return local[0] if len(local) == 1 else None
    holders = role_holders(org, role, deputies=False, area=area)
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
