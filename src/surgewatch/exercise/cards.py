"""Action cards in memory: opened, stood down, done, and their deadlines.

The same rules as the live cards (``surgewatch.web.actions``), on the same core
functions: the first deadline is :func:`surgewatch.core.acting.first_deadline`
(``due_within_hours`` from opening, or the next daily ``due_by`` in UK time); a
daily action gets its next deadline once the last has come
(:func:`surgewatch.core.acting.next_daily`); a missed deadline reminds the role at
its due time and goes to the role above after the pack's
``action_timers.escalate_after_minutes``; a stood-down or done card is not chased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from surgewatch.core.acting import first_deadline, is_recurring, next_daily
from surgewatch.core.actions import RoleAction

CardKey = tuple[str, str, str | None]  # (role, action id, area or None)


@dataclass
class Deadline:
    due_at: datetime
    met_at: datetime | None = None
    missed: bool = False
    escalated: bool = False


@dataclass
class Card:
    """One open action for one role (and one area, for an area-scoped role)."""

    role_action: RoleAction
    area: str | None
    opened_at: datetime
    deadlines: list[Deadline] = field(default_factory=list)
    active: bool = True  # someone still has to act on it
    stood_down: bool = False  # a done card stays in force until its level stands down

    @property
    def key(self) -> CardKey:
        return (self.role_action.role, self.role_action.action.id, self.area)

    @property
    def recurring(self) -> bool:
        return is_recurring(self.role_action.action)

    def next_unmet(self) -> Deadline | None:
        return next((d for d in self.deadlines if d.met_at is None), None)


def open_card(ra: RoleAction, area: str | None, now: datetime, tz: ZoneInfo) -> Card:
    card = Card(ra, area, now)
    due = first_deadline(ra.action, now, tz)
    if due is not None:
        card.deadlines.append(Deadline(due))
    return card


def add_daily(card: Card, now: datetime, tz: ZoneInfo) -> Deadline | None:
    """A daily card's next deadline, once its last one has come (the live worker's rule)."""
    due_by = card.role_action.action.due_by
    if not (card.active and card.recurring and card.deadlines and due_by):
        return None
    last = card.deadlines[-1]
    if last.due_at > now:
        return None
    added = Deadline(next_daily(due_by, last.due_at, tz))
    card.deadlines.append(added)
    return added


def complete(card: Card, now: datetime) -> tuple[list[Deadline], bool]:
    """Done: a daily card meets its earliest unmet deadline and stays open; a one-off card
    meets every deadline and closes. Returns the deadlines met and whether it closed."""
    if card.recurring:
        deadline = card.next_unmet()
        if deadline is None:
            return [], False
        deadline.met_at = now
        return [deadline], False
    met = [d for d in card.deadlines if d.met_at is None]
    for deadline in met:
        deadline.met_at = now
    card.active = False
    return met, True


def newly_missed(card: Card, now: datetime) -> list[Deadline]:
    """Unmet deadlines that have come: each is reported missed once, then never again."""
    found = [d for d in card.deadlines if d.met_at is None and not d.missed and d.due_at <= now]
    for deadline in found:
        deadline.missed = True
    return found


def to_escalate(card: Card, now: datetime, wait: timedelta) -> list[Deadline]:
    """Missed deadlines still unmet the pack's interval after they were due."""
    found = [
        d
        for d in card.deadlines
        if d.missed and d.met_at is None and not d.escalated and d.due_at + wait <= now
    ]
    for deadline in found:
        deadline.escalated = True
    return found
