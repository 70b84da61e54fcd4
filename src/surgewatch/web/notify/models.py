"""Channels people register, which roles they hear through each, and every message sent.

Issue 4 ('Notifications'): a message is a row that a worker delivers, retries
with backoff and finally marks sent or failed; each delivery attempt is a row
of its own, never edited (STYLE.md, after healthchecks). Nothing is dropped
silently: a person who cannot be reached still gets a failed message that the
outbox shows.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When

from surgewatch.web.orgs.models import Membership, Organisation


class Kind(models.TextChoices):
    """How a message travels. ``NONE`` is only ever a message's kind: nobody to send to."""

    EMAIL = "email", "Email"
    NOTIFY_EMAIL = "notify-email", "Email through GOV.UK Notify"
    SMS = "sms", "Text message (SMS) through GOV.UK Notify"
    TEAMS = "teams", "Microsoft Teams channel (incoming webhook)"
    SLACK = "slack", "Slack channel (incoming webhook)"
    WEBHOOK = "webhook", "Another system (JSON webhook)"
    NONE = "none", "No channel"


CHANNEL_KINDS = [kind for kind in Kind if kind != Kind.NONE]
WEBHOOK_KINDS = frozenset({Kind.TEAMS, Kind.SLACK, Kind.WEBHOOK})


class Channel(models.Model):
    """Somewhere one person receives messages: an address, a phone number, a webhook URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_channels"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.CharField(max_length=500)
    created_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "kind", "target"], name="channel_once"),
            models.CheckConstraint(condition=~Q(kind=Kind.NONE), name="channel_has_a_kind"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {shown_target(self.kind, self.target)}"


class Preference(models.Model):
    """One ticked box: ``channel`` receives the messages sent to ``membership``'s role."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="preferences")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["membership", "channel"], name="preference_once"),
        )

    def __str__(self) -> str:
        return f"{self.membership} -> {self.channel}"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


PENDING = (Status.QUEUED, Status.RETRYING)

# The outbox shows what needs a person's attention first.
_STATUS_RANK = Case(
    When(status=Status.FAILED, then=Value(0)),
    When(status=Status.RETRYING, then=Value(1)),
    When(status=Status.QUEUED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


class MessageQuerySet(models.QuerySet["Message"]):
    def due(self, now: datetime) -> MessageQuerySet:
        """Waiting to be sent and past their time (a worker that was down catches up)."""
        return self.filter(status__in=PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )

    def failed_first(self) -> MessageQuerySet:
        return (
            self.select_related("recipient", "organisation")
            .annotate(status_rank=_STATUS_RANK)
            .order_by("status_rank", "-created_at", "-pk")
        )


class Message(models.Model):
    """One message to one person through one channel, for one event.

    ``kind`` and ``target`` are copied from the channel when the message is
    made, so the record still says where it went after the channel is
    removed; with the recipient and the event key they make the message
    unique, so rerunning whatever raised the event never tells anyone twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notify_messages"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.SlugField(max_length=64)
    channel = models.ForeignKey(
        Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.CharField(max_length=500, blank=True)
    event_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempt_count = models.PositiveIntegerField(default=0)
    attempt_limit = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    retry_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["recipient", "kind", "target", "event_key"], name="message_once"
            ),
        )
        indexes = (models.Index(fields=["status", "next_attempt_at"], name="message_due"),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}: {self.subject[:60]}"

    @property
    def shown_target(self) -> str:
        return shown_target(self.kind, self.target)


class Outcome(models.TextChoices):
    SENT = "sent", "Sent"
    TRANSIENT = "transient", "Failed, may succeed later"
    PERMANENT = "permanent", "Failed, will not succeed as it is"


class Attempt(models.Model):
    """One try at delivering a message, stored once and never edited."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who pressed 'retry now', when a person asked for this attempt.",
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["message", "number"], name="attempt_number_once"),
        )

    def __str__(self) -> str:
        return f"attempt {self.number} of message {self.message_id}: {self.outcome}"


def shown_target(kind: str, target: str) -> str:
    """Where a message goes, safe to show: a webhook URL is a secret, so only its host."""
    if kind in WEBHOOK_KINDS:
        return urlsplit(target).hostname or "webhook"
    return target or "\N{EN DASH}"
