"""Writes for level changes and action cards, each in one transaction.

``refresh_level`` is the only place a level change is recorded: it locks the
organisation, asks ``surgewatch.core.acting`` for the acting level and, when it
moved, opens the new level's cards and stands down the old level's, then
queues the notifications. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from surgewatch.core.acting import first_deadline, is_recurring
from surgewatch.core.actions import RoleAction, transition
from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.actions import messages
from surgewatch.web.actions.levels import levels_now
from surgewatch.web.actions.models import (
    ActionCard,
    CardEvent,
    CardEventKind,
    CardStatus,
    Deadline,
    LevelChange,
    LevelChangeSource,
)
from surgewatch.web.actions.permissions import can_act_on, role_holders
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of


def refresh_level(
    organisation: Organisation, now: datetime, *, cause: str = LevelChangeSource.ENGINE
) -> LevelChange | None:
    """Record a level change if the acting level moved; open and stand down cards.

    Seed 000, section 8: actions of a higher level stand down only once the
    hold has passed; the hold is in ``levels_now`` (core.acting), so a change
    recorded here is already past it.
    """
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().select_related("framework")
        org = locked.get(pk=organisation.pk)
        pack = pack_of(org.framework)
        levels = levels_now(org, pack, now)
        last = LevelChange.objects.filter(organisation=org).order_by("-at", "-pk").first()
        before = last.to_level if last else None
        if levels.acting is None or levels.acting == before:
            return None
        change = LevelChange.objects.create(
            organisation=org,
            at=now,
            from_level=before,
            to_level=levels.acting,
            engine_level=levels.engine,
            declared_level=levels.declared,
            source=_source(cause, levels.acting, levels.declared),
            framework=org.framework,
        )
        _apply(change, pack, now)
        return change


def _source(cause: str, acting: int, declared: int | None) -> str:
    if cause == LevelChangeSource.DECLARATION and declared == acting:
        return LevelChangeSource.DECLARATION
    return LevelChangeSource.ENGINE


def _apply(change: LevelChange, pack: Pack, now: datetime) -> None:
    moved = transition(pack, change.from_level, change.to_level)
    opened = [_open_card(change, pack, ra, now) for ra in moved.started]
    for ra in moved.stood_down:
        _stand_down(change, ra, now)
    messages.level_changed(change, pack, [c for c in opened if c is not None], now)


def _open_card(change: LevelChange, pack: Pack, ra: RoleAction, now: datetime) -> ActionCard | None:
    """A card for the action, unless one is already in force (opened at a lower level)."""
    org = change.organisation
    in_force = ActionCard.objects.in_force().filter(
        organisation=org, role=ra.role, action_id=ra.action.id, protocol_run__isnull=True
    )
    if in_force.exists():
        return None
    card = ActionCard.objects.create(
        organisation=org,
        role=ra.role,
        action_id=ra.action.id,
        level=ra.level,
        text=ra.action.text,
        opened_at=now,
        opened_by=change,
        recurring=is_recurring(ra.action),
        assignee=_sole_holder(org, ra.role),
    )
    _event(card, CardEventKind.OPENED, now, note=f"OPEL {change.to_level}")
    due = first_deadline(ra.action, now, ZoneInfo(pack.schedule.timezone))
    if due is not None:
        Deadline.objects.create(card=card, due_at=due)
    return card


def _sole_holder(organisation: Organisation, role: str) -> User | None:
    """Assign a card straight away when one person (not a deputy) holds the role."""
    holders = role_holders(organisation, role, deputies=False)
    return holders[0] if len(holders) == 1 else None


def _stand_down(change: LevelChange, ra: RoleAction, now: datetime) -> None:
    cards = ActionCard.objects.in_force().filter(
        organisation=change.organisation, role=ra.role, action_id=ra.action.id
    )
    for card in cards:
        stand_down_card(card, now, change=change, note=f"OPEL {change.to_level}")


def stand_down_card(
    card: ActionCard, now: datetime, *, change: LevelChange | None = None, note: str = ""
) -> None:
    """Marked stood down, never deleted; a done card keeps its 'done'."""
    card.stood_down_at, card.stood_down_by = now, change
    if card.is_active:
        card.status = CardStatus.STOOD_DOWN
    card.save(update_fields=["stood_down_at", "stood_down_by", "status"])
    _event(card, CardEventKind.STOOD_DOWN, now, note=note)


def _event(
    card: ActionCard, kind: str, now: datetime, *, by: User | None = None, note: str = ""
) -> CardEvent:
    return CardEvent.objects.create(card=card, at=now, kind=kind, by=by, note=note)


# --- what people do with a card ------------------------------------------------------


def acknowledge(card: ActionCard, user: User, now: datetime) -> ActionCard:
    with _editing(card, user) as locked:
        locked.status = CardStatus.ACKNOWLEDGED
        locked.save(update_fields=["status"])
        _event(locked, CardEventKind.ACKNOWLEDGED, now, by=user)
        return locked


def complete(card: ActionCard, user: User, now: datetime, note: str = "") -> ActionCard:
    """Done. A daily card (update SHREWD by 10:30) is done for its next deadline
    and stays open for tomorrow's; a one-off card closes."""
    with _editing(card, user) as locked:
        if locked.recurring:
            deadline = _next_unmet(locked)
            if deadline is None:
                raise ValidationError({"action": ["nothing is due on this card now"]})
            _meet(deadline, now)
            _event(locked, CardEventKind.DEADLINE_MET, now, by=user, note=note)
            return locked
        locked.deadlines.filter(met_at__isnull=True).update(met_at=now)
        locked.status = CardStatus.DONE
        locked.save(update_fields=["status"])
        _event(locked, CardEventKind.DONE, now, by=user, note=note)
        return locked


def not_applicable(card: ActionCard, user: User, reason: str, now: datetime) -> ActionCard:
    if not reason.strip():
        raise ValidationError({"reason": ["is empty; fix: say why the action does not apply"]})
    with _editing(card, user) as locked:
        locked.status = CardStatus.NOT_APPLICABLE
        locked.save(update_fields=["status"])
        _event(locked, CardEventKind.NOT_APPLICABLE, now, by=user, note=reason.strip())
        return locked


def assign(card: ActionCard, user: User, assignee: User, now: datetime) -> ActionCard:
    """Give the card to a person holding its role (deputies included)."""
    if assignee not in role_holders(card.organisation, card.role, deputies=True):
        raise ValidationError({"assignee": [f"{assignee} does not hold the role {card.role}"]})
    with _editing(card, user) as locked:
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        _event(locked, CardEventKind.ASSIGNED, now, by=user, note=assignee.get_username())
        return locked


@contextmanager
def _editing(card: ActionCard, user: User) -> Iterator[ActionCard]:
    """The card locked, once the person may act on it and it is still active."""
    if not can_act_on(user, card):
        raise PermissionDenied(f"{user} does not hold {card.role} in {card.organisation.slug}")
    with transaction.atomic():
        locked = ActionCard.objects.select_for_update().get(pk=card.pk)
        if not locked.is_active:
            status = locked.get_status_display().lower()
            raise ValidationError({"action": [f"is {status}; nothing to change"]})
        yield locked


def _next_unmet(card: ActionCard) -> Deadline | None:
    return card.deadlines.filter(met_at__isnull=True).order_by("due_at").first()


def _meet(deadline: Deadline, now: datetime) -> None:
    deadline.met_at = now
    deadline.save(update_fields=["met_at"])
