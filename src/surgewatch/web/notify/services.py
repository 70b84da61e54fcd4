"""Writes for notifications: messages other apps raise, channels and choices people make.

Other apps decide who is told what and when (seed 000 section 5.1 and the
pack's ``level_change_notify`` name who hears of a level change; that is
not this app's business). This app only delivers: it turns one event for a
role or a person into one message per channel, stores it, and leaves the
sending to the worker once the transaction commits (issue 4).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from surgewatch.web.accounts.models import User
from surgewatch.web.notify.channels.base import NO_CHANNEL
from surgewatch.web.notify.models import Channel, Kind, Message, Preference, Status
from surgewatch.web.notify.selectors import (
    Destination,
    destinations,
    role_memberships,
    user_memberships,
)
from surgewatch.web.notify.targets import clean_target
from surgewatch.web.notify.tasks import deliver
from surgewatch.web.orgs.models import Area, Membership, Organisation

log = logging.getLogger(__name__)

SUBJECT_LENGTH = 500
EVENT_KEY_LENGTH = 200


@dataclass(frozen=True)
class Draft:
    """What is said, once, before it is copied into a message per channel."""

    organisation: Organisation
    role: str
    subject: str
    body: str
    link: str
    event_key: str


def notify_user(
    user: User,
    *,
    organisation: Organisation,
    role: str,
    subject: str,
    body: str,
    link: str = "",
    event_key: str,
    now: datetime,
) -> list[Message]:
    """Tell one person, through the channels they chose for ``role`` (issue 4).

    Idempotent on (person, channel, ``event_key``): calling again returns the
    messages already made. ``link`` is a site path such as ``/actions/12/``.
    """
    draft = _draft(organisation, role, subject, body, link, event_key)
    if not user.is_active:
        return _inactive(user, draft, now)
    return _send(draft, {user: user_memberships(user, organisation, role)}, now)


def notify_role(
    organisation: Organisation,
    role: str,
    *,
    subject: str,
    body: str,
    link: str = "",
    event_key: str,
    now: datetime,
    area: Area | None = None,
) -> list[Message]:
    """Tell every active person holding ``role`` in ``organisation``, deputies included.

    Organisation-wide holders always; area holders for ``area`` when given,
    in every area when it is None. One message per person and channel, however
    many of their memberships match.
    """
    draft = _draft(organisation, role, subject, body, link, event_key)
    holders: dict[User, list[Membership]] = {}
    for membership in role_memberships(organisation, role, area):
        holders.setdefault(membership.user, []).append(membership)
    if not holders:
        log.warning("nobody holds %s in %s for %s", role, organisation.slug, event_key)
    return _send(draft, holders, now)


def _draft(
    organisation: Organisation, role: str, subject: str, body: str, link: str, event_key: str
) -> Draft:
    if not event_key or len(event_key) > EVENT_KEY_LENGTH:
        raise ValueError(f"event_key must be 1 to {EVENT_KEY_LENGTH} characters: {event_key!r}")
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"link must be a path on this site, like /actions/12/: {link!r}")
    return Draft(organisation, role, one_line(subject), body, link, event_key)


def one_line(subject: str) -> str:
    """Mail headers and chat titles take one line; long subjects are cut, not refused."""
    text = re.sub(r"\s+", " ", subject).strip()
    if len(text) <= SUBJECT_LENGTH:
        return text
    return text[: SUBJECT_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _send(draft: Draft, holders: dict[User, list[Membership]], now: datetime) -> list[Message]:
    with transaction.atomic():
        return [
            _message(user, destination, draft, now)
            for user, memberships in holders.items()
            for destination in destinations(user, memberships)
        ]


def _inactive(user: User, draft: Draft, now: datetime) -> list[Message]:
    error = f"not sent: the account '{user.get_username()}' is inactive"
    with transaction.atomic():
        return [_message(user, Destination(Kind.NONE, ""), draft, now, error=error)]


def _message(
    user: User, destination: Destination, draft: Draft, now: datetime, error: str = ""
) -> Message:
    """Get or make the message; a new one is queued for the worker once this commits."""
    reachable = destination.kind != Kind.NONE and not error
    message, created = Message.objects.get_or_create(
        recipient=user,
        kind=destination.kind,
        target=destination.target,
        event_key=draft.event_key,
        defaults={
            "organisation": draft.organisation,
            "role": draft.role,
            "channel": destination.channel,
            "subject": draft.subject,
            "body": draft.body,
            "link": draft.link,
            "created_at": now,
            "attempt_limit": settings.NOTIFY_MAX_ATTEMPTS,
            "status": Status.QUEUED if reachable else Status.FAILED,
            "next_attempt_at": now if reachable else None,
            "last_error": "" if reachable else (error or NO_CHANNEL),
        },
    )
    if created and reachable:
        # robust: a queue that is down must not fail the committed write; deliver_due sends it.
        transaction.on_commit(_queue_delivery(message.pk), robust=True)
    return message


def _queue_delivery(message_id: int) -> Callable[[], None]:
    """A named function: Django's robust on_commit logs the callback's __qualname__."""

    def queue_delivery() -> None:
        deliver(message_id)

    return queue_delivery


def add_channel(user: User, kind: str, target: str, now: datetime) -> Channel:
    """Register a channel; the target is checked and tidied (``targets.clean_target``)."""
    if kind not in Kind.values or kind == Kind.NONE:
        raise ValidationError({"kind": "Choose a kind of channel."})
    try:
        cleaned = clean_target(kind, target)
    except ValidationError as error:
        raise ValidationError({"target": error.messages}) from None
    try:
        with transaction.atomic():
            return Channel.objects.create(user=user, kind=kind, target=cleaned, created_at=now)
    except IntegrityError:
        raise ValidationError({"target": "You have already added this channel."}) from None


def remove_channel(user: User, channel_id: int) -> None:
    """Remove one of ``user``'s channels; its messages stay in the outbox, naming where they went.

    Messages still waiting are sent to the target they were made for.
    """
    deleted, _ = Channel.objects.filter(user=user, pk=channel_id).delete()
    if not deleted:
        raise Channel.DoesNotExist(f"channel {channel_id} is not one of {user}'s")


def choose_channels(user: User, choices: dict[int, list[int]]) -> None:
    """Replace the person's ticks: ``choices`` maps each membership id to its channel ids."""
    own_memberships = set(user.memberships.values_list("pk", flat=True))
    own_channels = set(user.notify_channels.values_list("pk", flat=True))
    ticked = {c for ids in choices.values() for c in ids}
    if not set(choices) <= own_memberships or not ticked <= own_channels:
        raise PermissionDenied("memberships and channels must be the person's own")
    with transaction.atomic():
        Preference.objects.filter(membership_id__in=choices).delete()
        Preference.objects.bulk_create(
            Preference(membership_id=m, channel_id=c) for m, ids in choices.items() for c in ids
        )


def retry_now(message_id: int, *, by: User, now: datetime) -> bool:
    """Re-queue a failed message with a fresh set of attempts (issue 4: superusers only).

    The earlier attempts stay as they are; the next one is a new row that
    names who asked for it. False when the message is not failed (any more).
    """
    if not by.is_superuser:
        raise PermissionDenied("only an administrator can retry a message")
    with transaction.atomic():
        requeued = Message.objects.filter(pk=message_id, status=Status.FAILED).update(
            status=Status.QUEUED,
            next_attempt_at=now,
            attempt_limit=F("attempt_count") + settings.NOTIFY_MAX_ATTEMPTS,
            retry_requested_by=by,
        )
        if requeued:
            transaction.on_commit(partial(deliver, message_id))
    return requeued == 1
