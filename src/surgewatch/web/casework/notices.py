"""The week-8 provider notice (seed 000, section 6.3): 'On the eighth week of a
twelve-week disregard period, providers are notified to allow sufficient time for
arrangements to be made for discharge or funding to be agreed at the end of the
disregard period.'

Sent once per placement, through the notify app's outbox and worker (delivery, retries
and every attempt are that app's). Once: a placement is claimed with an UPDATE that
applies only while its notice is unclaimed, and the message's event key names the
placement, so two workers, or a task run twice, never tell a provider twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db import transaction

from surgewatch.improvement.timers import PlacementRules, local_date, notice_to_send
from surgewatch.improvement.timers import placement_status as status_of
from surgewatch.web.accounts.models import User
from surgewatch.web.casework.models import Placement
from surgewatch.web.casework.selectors import organisation_timers, placement_facts
from surgewatch.web.notify.models import Kind, Message, Status
from surgewatch.web.notify.tasks import deliver
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of

log = logging.getLogger(__name__)

# The account computed readings and provider notices are recorded under. It cannot sign
# in (inactive, no password) and holds no role, so it sees nothing.
SYSTEM_USERNAME = "surgewatch-casework"
# The notify app names who a message was for by role; a provider holds none of the pack's.
NOTICE_ROLE = "casework"


def system_user() -> User:
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "Casework timers"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def send_due_notices(now: datetime) -> int:
    """Queue every provider notice that has fallen due; the number queued."""
    sent = 0
    for organisation in Organisation.objects.select_related("framework"):
        timers = organisation_timers(organisation)
        if timers is None:
            continue
        today = local_date(now, pack_of(organisation.framework).schedule.timezone)
        waiting = Placement.objects.open().filter(
            area__organisation=organisation, notice_queued_at__isnull=True
        )
        for placement in waiting.select_related("area__organisation"):
            if notice_to_send(placement_facts(placement), timers.placements, today):
                sent += send_notice(placement, timers.placements, today, now)
    return sent


def send_notice(placement: Placement, rules: PlacementRules, today: date, now: datetime) -> bool:
    """Claim the placement's notice and queue the message; False if it was claimed already."""
    with transaction.atomic():
        claimed = Placement.objects.filter(
            pk=placement.pk, notice_queued_at__isnull=True, closed_at__isnull=True
        ).update(notice_queued_at=now)
        if claimed != 1:
            return False
        message = _message(placement, rules, today, now)
        Placement.objects.filter(pk=placement.pk).update(notice_message=message)
    log.info("casework: provider notice for placement %s queued", placement.pk)
    return True


def _message(placement: Placement, rules: PlacementRules, today: date, now: datetime) -> Message:
    subject, body = notice_text(placement, rules, today)
    message, created = Message.objects.get_or_create(
        recipient=system_user(),
        kind=Kind.EMAIL,
        target=placement.provider_email,
        event_key=f"casework:placement:{placement.pk}:provider-notice",
        defaults={
            "organisation": placement.area.organisation,
            "role": NOTICE_ROLE,
            "subject": subject,
            "body": body,
            "created_at": now,
            "attempt_limit": settings.NOTIFY_MAX_ATTEMPTS,
            "status": Status.QUEUED,
            "next_attempt_at": now,
        },
    )
    if created:
        # robust: a queue that is down must not undo the claim; deliver_due sends it.
        transaction.on_commit(_queue(message.pk), robust=True)
    return message


def _queue(message_id: int) -> Callable[[], None]:
    def queue_provider_notice() -> None:
        deliver(message_id)

    return queue_provider_notice


def notice_text(placement: Placement, rules: PlacementRules, today: date) -> tuple[str, str]:
    """What the provider is told: the placement by its reference only, and the dates."""
    status = status_of(placement_facts(placement), rules, today)
    organisation = placement.area.organisation.name
    ends = f"{status.disregard_ends_on:%A %d %B %Y}"
    subject = f"Placement {placement.reference}: the disregard period ends on {ends}"
    late = (
        f" This notice is late: week {rules.provider_notice_week} ended on "
        f"{status.notice_by:%d %B %Y}."
        if today > status.notice_by
        else ""
    )
    body = (
        f"To {placement.provider}: assessment bed placement {placement.reference} started on "
        f"{placement.started_on:%d %B %Y}. Its {rules.disregard_period_weeks}-week disregard "
        f"period ends on {ends}.{late} Please make arrangements now for discharge, or for "
        f"funding to be agreed, by the end of the disregard period. Reply to {organisation} "
        f"quoting {placement.reference}."
    )
    return subject, body
