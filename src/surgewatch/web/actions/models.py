"""Level changes, the action cards they open, their deadlines and their history.

A level change is a stored row (STYLE.md); cards are opened and stood down by
the service that writes it, in the same transaction. Nothing is deleted: a
card that stands down is marked so, and every change to a card is a
``CardEvent`` row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.orgs.models import Area, Framework, Organisation


class LevelChangeSource(models.TextChoices):
    ENGINE = "engine", "Indicators (after the de-escalation hold)"
    DECLARATION = "declaration", "Declaration"


class LevelChange(models.Model):
    """The organisation's acting level moved (``surgewatch.core.acting``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="level_changes"
    )
    # Set when one area's acting level moved (seed 000, section 8: actions are
    # triggered by the OPEL status of KCC, 'the Area or region'): the area's own
    # held level, or the organisation's declared level when that is higher. Such
    # a row opens and stands down the cards of the pack's area-scoped roles in
    # that area; the organisation's rows do so for the organisation-wide roles.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="level_changes"
    )
    at = models.DateTimeField()
    from_level = models.PositiveSmallIntegerField(null=True, blank=True)
    to_level = models.PositiveSmallIntegerField()
    engine_level = models.PositiveSmallIntegerField(null=True, blank=True)
    declared_level = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=LevelChangeSource.choices)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = (models.Index(fields=["organisation", "-at"], name="level_change_latest"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(to_level__gte=1, to_level__lte=4), name="level_change_1_to_4"
            ),
        )

    def __str__(self) -> str:
        where = self.organisation.slug + (f"/{self.area.slug}" if self.area else "")
        return f"{where}: OPEL {self.from_level or '-'} to {self.to_level}"

    @property
    def is_escalation(self) -> bool:
        return self.from_level is None or self.to_level > self.from_level


class CardStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    STOOD_DOWN = "stood_down", "Stood down"


ACTIVE_STATUSES = (CardStatus.OPEN, CardStatus.ACKNOWLEDGED)


class CardQuerySet(models.QuerySet["ActionCard"]):
    def active(self) -> CardQuerySet:
        """Cards someone still has to act on."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def in_force(self) -> CardQuerySet:
        """Cards of the level in force: not stood down (done ones included)."""
        return self.filter(stood_down_at__isnull=True)


class CardSource(models.TextChoices):
    """Where a card's action came from."""

    PACK = "pack", "The plan"
    MEETING = "meeting", "Agreed at a meeting"
    DECISION_REVIEW = "decision_review", "Decision review"


class ActionCard(models.Model):
    """One role's action at one level, for one organisation or one of its areas.

    ``level`` is the level whose entry in the pack defines the action (an
    inherited 'continue with level two actions' card says 2). Protocol steps
    are cards too, with ``protocol_run`` set. ``area`` is set when the role's
    pack ``scope`` is ``area``: the card belongs to that area's holders of the
    role. Actions agreed at a meeting and decision reviews are cards too
    (``source``), so they share the lists, clocks and reminders; their level
    is the one standing when they were agreed.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="action_cards"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="action_cards"
    )
    source = models.CharField(max_length=16, choices=CardSource.choices, default=CardSource.PACK)
    role = models.SlugField(max_length=64)
    action_id = models.SlugField(max_length=96)
    level = models.PositiveSmallIntegerField()
    text = models.TextField()
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        LevelChange, on_delete=models.PROTECT, null=True, blank=True, related_name="opened_cards"
    )
    protocol_run = models.ForeignKey(
        "ProtocolRun", on_delete=models.PROTECT, null=True, blank=True, related_name="cards"
    )
    recurring = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=CardStatus.choices, default=CardStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_cards",
    )
    stood_down_at = models.DateTimeField(null=True, blank=True)
    stood_down_by = models.ForeignKey(
        LevelChange, on_delete=models.PROTECT, null=True, blank=True, related_name="stood_down"
    )

    objects = CardQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=["organisation", "status"], name="card_org_status"),
            models.Index(fields=["organisation", "role", "action_id"], name="card_action"),
        )

    def __str__(self) -> str:
        where = self.organisation.slug + (f"/{self.area.slug}" if self.area else "")
        return f"{self.action_id} ({self.role}, {where})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Deadline(models.Model):
    """One time a card is due. One-off actions have one; daily ones one a day."""

    card = models.ForeignKey(ActionCard, on_delete=models.PROTECT, related_name="deadlines")
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["card", "due_at"], name="deadline_once_per_time"),
        )
        indexes = (models.Index(fields=["met_at", "due_at"], name="deadline_due"),)

    def __str__(self) -> str:
        return f"{self.card} due {self.due_at:%Y-%m-%d %H:%M}"


class CardEventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    DONE = "done", "Done"
    DEADLINE_MET = "deadline_met", "Done for this deadline"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    REMINDED = "reminded", "Reminder sent"
    ESCALATED = "escalated", "Escalated"
    STOOD_DOWN = "stood_down", "Stood down"


class CardEvent(models.Model):
    """A card's history: who did what, when, with any reason. Never edited."""

    card = models.ForeignKey(ActionCard, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=CardEventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.card}: {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ProtocolRun(models.Model):
    """A timed protocol from the pack, running (seed 000, section 6.1: NHS 111 DoS)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="protocol_runs"
    )
    protocol_id = models.SlugField(max_length=64)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    in_hours = models.BooleanField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.TextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["organisation", "protocol_id"],
                condition=Q(stopped_at__isnull=True),
                name="protocol_runs_once_at_a_time",
            ),
        )

    def __str__(self) -> str:
        return f"{self.protocol_id} for {self.organisation.slug} from {self.started_at:%d %b %H:%M}"
