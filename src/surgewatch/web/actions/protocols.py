"""Timed protocols from the pack, run as cards with clocks.

Seed 000, section 6.1, the NHS 111 DoS Capacity Management Protocol: (a) call
NHS 111 to change the service's capacity status; (b) inform the ICB
commissioning lead in hours or the NHS Director on Call out of hours; (c)
review after 4 hours and, if pressure remains, repeat (a) and (b). Each step
is a card for the role the pack names; step (c) carries the review deadline,
and each review either repeats the steps with a new deadline or stops the run.
The rules (office hours, who does a step, which steps repeat, when the next
review is due) are :mod:`surgewatch.core.protocols`, shared with exercise mode.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from surgewatch.core import protocols as rules
from surgewatch.core.pack import Pack, Protocol, ProtocolStep
from surgewatch.web.accounts.models import User
from surgewatch.web.actions.cards import stand_down_card
from surgewatch.web.actions.models import (
    ActionCard,
    CardEvent,
    CardEventKind,
    Deadline,
    LevelChange,
    ProtocolRun,
)
from surgewatch.web.actions.permissions import can_act_on, holds_role
from surgewatch.web.actions.services import refresh_level
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import can_declare


def protocol_of(pack: Pack, protocol_id: str) -> Protocol:
    protocol = rules.find_protocol(pack, protocol_id)
    if protocol is None:
        raise ValidationError({"protocol": [f"unknown protocol '{protocol_id}'"]})
    return protocol


def may_run(user: User, organisation: Organisation, protocol: Protocol) -> bool:
    if user.is_superuser or can_declare(user, organisation):
        return True
    return holds_role(user, organisation, protocol.owner_role)


def start_protocol(
    organisation: Organisation, protocol_id: str, user: User | None, now: datetime
) -> ProtocolRun:
    """Start a run with a card per step; refused below the protocol's level."""
    pack = pack_of(organisation.framework)
    protocol = protocol_of(pack, protocol_id)
    if user is not None and not may_run(user, organisation, protocol):
        raise PermissionDenied(f"{user} may not start {protocol.name}")
    change = refresh_level(organisation, now)
    level = change.to_level if change else _acting(organisation)
    if not rules.may_start_at(protocol, level):
        raise ValidationError(
            {"protocol": [f"starts at OPEL {protocol.from_level}; the acting level is {level}"]}
        )
    try:
        with transaction.atomic():
            return _start(organisation, pack, protocol, user, now)
    except IntegrityError:
        raise ValidationError({"protocol": [f"{protocol.name} is already running"]}) from None


def _acting(organisation: Organisation) -> int | None:
    changes = LevelChange.objects.filter(organisation=organisation, area__isnull=True)
    last = changes.order_by("-at", "-pk").first()
    return last.to_level if last else None


def _start(
    organisation: Organisation, pack: Pack, protocol: Protocol, user: User | None, now: datetime
) -> ProtocolRun:
    tz = ZoneInfo(pack.schedule.timezone)
    run = ProtocolRun.objects.create(
        organisation=organisation,
        protocol_id=protocol.id,
        started_at=now,
        started_by=user,
        in_hours=rules.in_office_hours(protocol, now, tz),
    )
    _open_steps(run, protocol, protocol.steps, now, round_=1, tz=tz)
    return run


def _open_steps(
    run: ProtocolRun,
    protocol: Protocol,
    steps: list[ProtocolStep],
    now: datetime,
    round_: int,
    tz: ZoneInfo,
) -> None:
    # Step (b) goes in or out of hours as at each round, not as at the start: a run
    # started at 16:00 informs the Director on Call at its 20:00 review (seed 000, 6.1).
    in_hours = rules.in_office_hours(protocol, now, tz)
    for step in rules.round_cards(protocol, steps, now, in_hours):
        card = ActionCard.objects.create(
            organisation=run.organisation,
            role=step.role,
            action_id=step.action_id,
            level=protocol.from_level,
            text=step.text,
            opened_at=now,
            protocol_run=run,
            recurring=step.is_review,
        )
        note = f"round {round_}" + (", in hours" if in_hours else ", out of hours")
        CardEvent.objects.create(card=card, at=now, kind=CardEventKind.OPENED, note=note)
        if step.review_due_at is not None:
            Deadline.objects.create(card=card, due_at=step.review_due_at)


def review(
    card: ActionCard, user: User, *, pressure_remains: bool, note: str, now: datetime
) -> ProtocolRun:
    """Step (c): pressure remains, so repeat the steps and set the next review; or stop."""
    run = card.protocol_run
    if run is None or run.stopped_at is not None or not card.recurring:
        raise ValidationError({"action": ["is not the review step of a running protocol"]})
    if not can_act_on(user, card):
        raise PermissionDenied(f"{user} does not hold {card.role}")
    protocol = protocol_of(pack_of(run.organisation.framework), run.protocol_id)
    with transaction.atomic():
        current = card.deadlines.filter(met_at__isnull=True).order_by("due_at").first()
        card.deadlines.filter(met_at__isnull=True).update(met_at=now)
        kind = CardEventKind.DEADLINE_MET
        words = "pressure remains: steps repeated" if pressure_remains else "pressure eased"
        CardEvent.objects.create(card=card, at=now, kind=kind, by=user, note=f"{words}. {note}")
        if not pressure_remains:
            return stop_protocol(run, user, f"review: {note or 'pressure eased'}", now)
        reviews = card.deadlines.filter(met_at__isnull=False).count()
        tz = ZoneInfo(pack_of(run.organisation.framework).schedule.timezone)
        repeat = rules.repeated_steps(protocol)
        _open_steps(run, protocol, repeat, now, round_=reviews + 1, tz=tz)
        due = rules.next_review(protocol, now, current.due_at if current else None)
        Deadline.objects.create(card=card, due_at=due)
        return run


def stop_protocol(run: ProtocolRun, user: User | None, reason: str, now: datetime) -> ProtocolRun:
    """Stop the run: its open cards stand down (kept, marked), the run keeps its record."""
    if not reason.strip():
        raise ValidationError({"reason": ["is empty; fix: say why the protocol stops"]})
    with transaction.atomic():
        run.stopped_at, run.stopped_by, run.stop_reason = now, user, reason.strip()
        run.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
        for card in run.cards.in_force():
            stand_down_card(card, now, note=f"protocol stopped: {reason.strip()}")
    return run


def start_automatic(change: LevelChange, now: datetime) -> list[ProtocolRun]:
    """Protocols the pack marks ``activation: automatic`` start on escalation to their level."""
    if not change.is_escalation:
        return []
    pack = pack_of(change.organisation.framework)
    started = []
    for protocol in pack.protocols:
        running = ProtocolRun.objects.filter(
            organisation=change.organisation, protocol_id=protocol.id, stopped_at__isnull=True
        )
        due = rules.starts_automatically(protocol, change.from_level, change.to_level)
        if due and not running.exists():
            with transaction.atomic():
                started.append(_start(change.organisation, pack, protocol, None, now))
    return started
