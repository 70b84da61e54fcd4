"""Reads for action cards: whose, which are overdue, in the order people need them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from surgewatch.core.pack import Pack
from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import (
    ActionCard,
    Deadline,
    LevelChange,
    ProtocolRun,
)
from surgewatch.web.orgs.models import Organisation


@dataclass(frozen=True)
class CardView:
    """A card with what the lists show beside it."""

    card: ActionCard
    next_due: datetime | None
    overdue: bool
    role_name: str


def with_due(cards: QuerySet[ActionCard], now: datetime) -> QuerySet[ActionCard]:
    unmet = Deadline.objects.filter(card=OuterRef("pk"), met_at__isnull=True)
    return (
        cards.annotate(
            is_overdue=Exists(unmet.filter(due_at__lte=now)),
        )
        .select_related("organisation__framework", "assignee", "area")
        .prefetch_related("deadlines")
    )


def card_views(
    cards: QuerySet[ActionCard], pack_for: dict[int, Pack], now: datetime
) -> list[CardView]:
    """Overdue first, then by next deadline, then oldest first."""
    views = [_view(card, pack_for[card.organisation_id], now) for card in with_due(cards, now)]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(views, key=lambda v: (not v.overdue, v.next_due or far, v.card.opened_at))


def _view(card: ActionCard, pack: Pack, now: datetime) -> CardView:
    unmet = min((d for d in card.deadlines.all() if d.met_at is None), key=_due, default=None)
    names = {r.id: r.name for r in pack.roles}
    overdue = bool(getattr(card, "is_overdue", False))
    return CardView(card, unmet.due_at if unmet else None, overdue, names.get(card.role, card.role))


def _due(deadline: Deadline) -> datetime:
    return deadline.due_at


def my_cards(user: User) -> QuerySet[ActionCard]:
    """Active cards assigned to the user, or unassigned ones of a role they hold where it
    applies: an area membership takes that area's cards and the organisation-wide ones."""
    held = user.memberships.values_list("organisation_id", "role", "area_id")
    mine = Q(assignee=user)
    for organisation_id, role, area_id in held:
        theirs = Q(organisation_id=organisation_id, role=role, assignee__isnull=True)
        if area_id is not None:
            theirs &= Q(area__isnull=True) | Q(area_id=area_id)
        mine |= theirs
    return ActionCard.objects.active().filter(mine)


# The area filter's value for cards that belong to the whole organisation.
ORGANISATION_WIDE = "-"


def organisation_cards(
    organisation: Organisation, status: str = "", area: str = ""
) -> QuerySet[ActionCard]:
    """The organisation's cards by status ('active' or empty: open and acknowledged);
    ``area`` an area's slug, ``ORGANISATION_WIDE``, or empty for all."""
    cards = ActionCard.objects.filter(organisation=organisation)
    if area == ORGANISATION_WIDE:
        cards = cards.filter(area__isnull=True)
    elif area:
        cards = cards.filter(area__slug=area)
    if status == "active" or not status:
        return cards.active()
    return cards.filter(status=status)


def level_changes(organisation: Organisation, limit: int = 20) -> list[LevelChange]:
    changes = LevelChange.objects.filter(organisation=organisation, area__isnull=True)
    changes = changes.order_by("-at", "-pk")
    return list(changes[:limit])


def acting_change(organisation: Organisation) -> LevelChange | None:
    changes = LevelChange.objects.filter(organisation=organisation, area__isnull=True)
    return changes.order_by("-at", "-pk").first()


def running_protocols(organisation: Organisation) -> list[ProtocolRun]:
    runs = ProtocolRun.objects.filter(organisation=organisation, stopped_at__isnull=True)
    return list(runs.order_by("started_at"))
