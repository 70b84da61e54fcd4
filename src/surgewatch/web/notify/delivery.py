"""Delivering one message: claim it, send it, store the attempt and what comes next.

Runs in the worker (``tasks.py``), never in a web request. Issue 4 and
STYLE.md (healthchecks): a worker claims a due message with an UPDATE that
applies only while the message is still pending with the attempt count it
read, so two workers never send one message twice. The claim also pushes
``next_attempt_at`` a lease ahead: if the worker dies while sending, the
message falls due again after the lease instead of hanging for ever.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from surgewatch.web.notify.backoff import retry_delay
from surgewatch.web.notify.channels import transport_for
from surgewatch.web.notify.channels.base import Outgoing, PermanentError, TransientError
from surgewatch.web.notify.models import PENDING, Attempt, Message, Outcome, Status

log = logging.getLogger(__name__)

# Longer than any transport's own timeout (SMTP 30 s, Notify 30 s, webhooks 10 s).
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: str
    duration_ms: int


def deliver_message(message_id: int, now: datetime) -> Message | None:
    """Send ``message_id`` if it is due and this worker wins the claim; the message after."""
    message = claim(message_id, now)
    if message is None:
        return None
    result = attempt(message)
    record(message, result, now)
    log.info("message %s attempt %s: %s", message.pk, message.attempt_count, result.outcome)
    return Message.objects.get(pk=message.pk)


def due_message_ids(now: datetime, limit: int = 100) -> list[int]:
    return list(Message.objects.due(now).values_list("pk", flat=True)[:limit])


def claim(message_id: int, now: datetime) -> Message | None:
    """The message with its attempt counted, or None if it is not due or another worker has it."""
    message = Message.objects.select_related("organisation").filter(pk=message_id).first()
    if message is None:
        return None
    claimed = Message.objects.filter(
        pk=message.pk,
        status__in=PENDING,
        attempt_count=message.attempt_count,
        next_attempt_at__lte=now,
    ).update(attempt_count=F("attempt_count") + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return None
    message.attempt_count += 1
    return message


def attempt(message: Message) -> Result:
    """Hand the message to its channel's transport; any failure becomes a Result, never a raise."""
    started = time.monotonic()
    try:
        transport_for(message.kind).send(message.target, outgoing(message))
    except PermanentError as error:
        return Result(Outcome.PERMANENT, str(error), _since(started))
    except TransientError as error:
        return Result(Outcome.TRANSIENT, str(error), _since(started))
    except Exception as error:
        # A fault of ours (a bug, a library surprise) is retried and then shown, not lost.
        log.exception("message %s: unexpected error", message.pk)
        return Result(Outcome.TRANSIENT, f"unexpected error: {error!r}", _since(started))
    return Result(Outcome.SENT, "", _since(started))


def outgoing(message: Message) -> Outgoing:
    return Outgoing(
        message_id=message.pk,
        event_key=message.event_key,
        subject=message.subject,
        body=message.body,
        link=absolute_link(message.link),
        organisation=message.organisation.name,
        role=message.role,
    )


def absolute_link(link: str) -> str:
    """A site-relative path as a full address on SITE_URL; empty stays empty."""
    return f"{settings.SITE_URL.rstrip('/')}{link}" if link else ""


def record(message: Message, result: Result, now: datetime) -> None:
    """Store the attempt as a new row and move the message on, in one transaction."""
    with transaction.atomic():
        Attempt.objects.create(
            message=message,
            number=message.attempt_count,
            at=now,
            outcome=result.outcome,
            error=result.error,
            duration_ms=result.duration_ms,
            requested_by_id=message.retry_requested_by_id,
        )
        Message.objects.filter(pk=message.pk, attempt_count=message.attempt_count).update(
            retry_requested_by=None, **_next_state(message, result, now)
        )


def _next_state(message: Message, result: Result, now: datetime) -> dict[str, object]:
    if result.outcome == Outcome.SENT:
        return {"status": Status.SENT, "sent_at": now, "next_attempt_at": None}
    if result.outcome == Outcome.PERMANENT:
        return {"status": Status.FAILED, "last_error": result.error, "next_attempt_at": None}
    if message.attempt_count >= message.attempt_limit:
        error = f"{result.error} (gave up after {message.attempt_count} attempts)"
        return {"status": Status.FAILED, "last_error": error, "next_attempt_at": None}
    delay = retry_delay(message.attempt_count, cap_minutes=settings.NOTIFY_BACKOFF_CAP_MINUTES)
    return {"status": Status.RETRYING, "last_error": result.error, "next_attempt_at": now + delay}


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
