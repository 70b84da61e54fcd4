"""Timed protocols from the pack: when one starts, its steps, who does each, its reviews.

Seed 000, section 6.1, the NHS 111 DoS Capacity Management Protocol: (a) call
NHS 111 to change the service's capacity status; (b) inform the ICB
commissioning lead in hours or the NHS Director on Call out of hours; (c)
review after 4 hours and, if pressure remains, repeat (a) and (b).

These are the pure rules; the live service (``surgewatch.web.actions.protocols``)
stores runs and cards with them, and exercise mode replays them in memory. No
clock is read: every time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from surgewatch.core.pack import Pack, Protocol, ProtocolStep

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A protocol with steps to repeat but no interval in the pack is reviewed after 4 hours,
# the interval seed 000 section 6.1 gives for the one protocol it names.
DEFAULT_REVIEW_HOURS = 4.0


@dataclass(frozen=True)
class StepCard:
    """One step of one round, as a card: who does it, and the review it carries."""

    step: ProtocolStep
    role: str
    action_id: str
    text: str
    is_review: bool
    review_due_at: datetime | None


def find_protocol(pack: Pack, protocol_id: str) -> Protocol | None:
    return next((p for p in pack.protocols if p.id == protocol_id), None)


def in_office_hours(protocol: Protocol, at: datetime, tz: ZoneInfo) -> bool:
    """The pack's office hours (a local setting for Kent: Mon-Fri 09:00-17:00); a protocol
    without office hours is always 'in hours'."""
    hours = protocol.office_hours
    if hours is None:
        return True
    local = at.astimezone(tz)
    clock = local.strftime("%H:%M")
    return DAYS[local.weekday()] in hours.days and hours.start <= clock < hours.end


def may_start_at(protocol: Protocol, level: int | None) -> bool:
    """A protocol starts only at or above its level (``from_level``)."""
    return level is not None and level >= protocol.from_level


def starts_automatically(protocol: Protocol, before: int | None, after: int) -> bool:
    """``activation: automatic`` protocols start on an escalation to their level."""
    escalation = before is None or after > before
    return protocol.activation == "automatic" and escalation and may_start_at(protocol, after)


def step_role(protocol: Protocol, step: ProtocolStep, in_hours: bool) -> str:
    """Who a step goes to: its branch's in- or out-of-hours role, else the owner."""
    if step.branch is None:
        return protocol.owner_role
    return step.branch.in_hours_role if in_hours else step.branch.out_of_hours_role


def repeated_steps(protocol: Protocol) -> list[ProtocolStep]:
    """The steps a review repeats when pressure remains (step (c) names (a) and (b))."""
    ids = {step_id for s in protocol.steps for step_id in s.repeat_steps}
    return [s for s in protocol.steps if s.id in ids]


def review_every(protocol: Protocol) -> timedelta:
    return timedelta(hours=protocol.review_every_hours or DEFAULT_REVIEW_HOURS)


def next_review(protocol: Protocol, now: datetime, due_at: datetime | None) -> datetime:
    """An early review does not shorten the cycle: the next is due one interval after
    this one was due, or after ``now`` if that is later."""
    since = max(now, due_at) if due_at is not None else now
    return since + review_every(protocol)


def round_cards(
    protocol: Protocol, steps: list[ProtocolStep], now: datetime, in_hours: bool
) -> list[StepCard]:
    """The cards one round opens: a card per step; a review step carries the first
    review, due ``review_every_hours`` after the round opens."""
    cards = []
    for step in steps:
        is_review = bool(step.repeat_steps)
        due = now + review_every(protocol) if is_review and protocol.review_every_hours else None
        cards.append(
            StepCard(
                step=step,
                role=step_role(protocol, step, in_hours),
                action_id=f"{protocol.id}-{step.id}",
                text=f"{protocol.name}, step {step.id}: {step.text}",
                is_review=is_review,
                review_due_at=due,
            )
        )
    return cards
