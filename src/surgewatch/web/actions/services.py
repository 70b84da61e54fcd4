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

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from surgewatch.core.actions import transition
from surgewatch.core.pack import Pack, RoleScope
from surgewatch.web.accounts.models import User
from surgewatch.web.actions import messages
from surgewatch.web.actions.areas import driving_areas, record_area_levels, source_of
from surgewatch.web.actions.cards import event as _event
from surgewatch.web.actions.cards import in_force, open_card, stand_down_card
from surgewatch.web.actions.levels import Levels, levels_now
from surgewatch.web.actions.models import (
    ActionCard,
    CardEventKind,
    CardSource,
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
    recorded here is already past it. The organisation's change moves the
    cards of its organisation-wide roles; each area's change those of the
    pack's area-scoped roles in that area (``Role.scope``). Returns the
    organisation's change, if any.
    """
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().select_related("framework")
        org = locked.get(pk=organisation.pk)
        pack = pack_of(org.framework)
        levels = levels_now(org, pack, now)
        last = _last_change(org)
        before = last.to_level if last else None
        change = None
        if levels.acting is not None and levels.acting != before:
            change = _record(org, pack, levels, before, cause, now)
        for area_change in record_area_levels(org, levels, cause, now):
            messages.area_level_changed(area_change, _move_cards(area_change, pack, now), now)
        return change


def _last_change(org: Organisation) -> LevelChange | None:
    changes = LevelChange.objects.filter(organisation=org, area__isnull=True)
    return changes.order_by("-at", "-pk").first()


def _record(
    org: Organisation, pack: Pack, levels: Levels, before: int | None, cause: str, now: datetime
) -> LevelChange:
    assert levels.acting is not None
    change = LevelChange.objects.create(
        organisation=org,
        at=now,
        from_level=before,
        to_level=levels.acting,
        engine_level=levels.engine,
        declared_level=levels.declared,
        source=source_of(cause, levels.acting, levels.declared),
        framework=org.framework,
    )
    opened = _move_cards(change, pack, now)
    areas = driving_areas(org, levels.areas, levels.acting)
    messages.level_changed(change, pack, opened, now, areas)
    return change


def _move_cards(change: LevelChange, pack: Pack, now: datetime) -> list[ActionCard]:
    """Open the new level's cards of the roles with this change's scope; stand down the
    old level's cards where the change applies (the organisation's, or the area's)."""
    scope = RoleScope.AREA if change.area is not None else RoleScope.ORGANISATION
    roles = pack.roles_scoped(scope)
    moved = transition(pack, change.from_level, change.to_level)
    org, area, note = change.organisation, change.area, f"OPEL {change.to_level}"
    opened = [
        open_card(org, pack, ra, now, opened_by=change, note=note, area=area)
        for ra in moved.started
        if ra.role in roles
    ]
    # Not filtered by scope: a card opened before the pack changed a role's scope
    # still stands down with the level that opened it.
    for ra in moved.stood_down:
        for card in in_force(org, ra.role, ra.action.id, area):
            stand_down_card(card, now, change=change, note=note)
    return [c for c in opened if c is not None]


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
    if card.source == CardSource.DECISION_REVIEW:
        fix = "record the review, with its outcome, on the decision's page"
        raise ValidationError({"action": [f"is a decision's review; fix: {fix}"]})
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


def close_review(card: ActionCard, user: User, now: datetime, note: str) -> ActionCard:
    """A decision's review card is done once the review is on record (decisions.reviews)."""
    with _editing(card, user) as locked:
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
    if assignee not in role_holders(card.organisation, card.role, deputies=True, area=card.area):
        where = f" in {card.area.name}" if card.area else ""
        raise ValidationError(
            {"assignee": [f"{assignee} does not hold the role {card.role}{where}"]}
        )
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
