"""The record of each multi-agency call: agenda, attendance, actions and their answers.

Seed 000, section 5.1: the Whole System Escalation and Local Health Economy
teleconferences anticipate and mitigate risk, agree local actions and update
stakeholders. Each call held is a record (DESIGN.md, 'Security and records'):
written once, never updated, never deleted. There is no correction: a call's
actions went to their owners the moment it was saved and carry their own
answers, so a second version of the call would fork them; anything missed is
raised at the next call, whose agenda carries every action still outstanding.

An action's words, owner and due time never change. Two columns move, each
only through the services: ``asked_at`` (claimed once by the worker) and
``status``, which always repeats the latest ``CallActionAnswer`` (the answers
themselves are never overwritten).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.decisions.checks import NAME_LENGTH
from surgewatch.web.decisions.models import ImmutableQuerySet, ImmutableRecord, ImmutableRecordError
from surgewatch.web.orgs.models import Framework, Organisation

# The same length the decision log allows for names, so its length check applies.
PARTNER_LENGTH = NAME_LENGTH


class CallQuerySet(ImmutableQuerySet["Call"]):
    def for_log(self) -> CallQuerySet:
        """Newest call first, with who chaired and recorded it."""
        return self.select_related("chair", "recorded_by").order_by("-held_at", "-pk")


class Call(ImmutableRecord):
    """One call held. ``agenda`` is what the generated agenda said when it was recorded.

    ``call_id`` and ``call_name`` are copied from the pack in force, so the
    record reads the same after the pack changes; ``level`` is the acting
    level then (null before the organisation had one).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="calls")
    call_id = models.SlugField(max_length=64)
    call_name = models.CharField(max_length=300)
    held_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls_chaired"
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls_recorded"
    )
    recorded_at = models.DateTimeField()
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    agenda = models.JSONField()

    objects = CallQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=["organisation", "call_id", "-held_at"], name="call_latest"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
                name="call_level_1_to_4",
            ),
        )

    def __str__(self) -> str:
        return f"{self.call_name} {self.pk}"


class AttendeeQuerySet(ImmutableQuerySet["CallAttendee"]):
    pass


class CallAttendee(ImmutableRecord):
    """A partner (organisation or team) on the call, who spoke for it, and whether present."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="attendees")
    position = models.PositiveSmallIntegerField()
    partner = models.CharField(max_length=PARTNER_LENGTH)
    person = models.CharField(max_length=PARTNER_LENGTH, blank=True)
    present = models.BooleanField()

    objects = AttendeeQuerySet.as_manager()

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return f"{self.partner}: {'present' if self.present else 'absent'}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"


# Still owed: not answered yet, or answered 'not done'.
OUTSTANDING = (ActionStatus.OPEN, ActionStatus.NOT_DONE)
# The only columns of an action that ever change, and only by the services.
MOVING_FIELDS = frozenset({"status", "asked_at"})


class CallActionQuerySet(models.QuerySet["CallAction"]):
    """Refuses deletes and any update beyond ``MOVING_FIELDS``."""

    def update(self, **kwargs: Any) -> int:
        fixed = set(kwargs) - MOVING_FIELDS
        if fixed:
            raise ImmutableRecordError(
                f"call actions: {', '.join(sorted(fixed))} cannot be changed; "
                "fix: agree a new action at the next call"
            )
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError("call actions cannot be deleted; fix: answer 'not done'")

    def outstanding(self) -> CallActionQuerySet:
        return self.filter(status__in=OUTSTANDING)

    def for_record(self) -> CallActionQuerySet:
        return self.select_related("owner").prefetch_related("answers__by").order_by("position")


class CallAction(ImmutableRecord):
    """An action agreed for one partner at a call, with an owner and a due time."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveSmallIntegerField()
    partner = models.CharField(max_length=PARTNER_LENGTH)
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_actions"
    )
    owner_role = models.SlugField(max_length=64)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    # When the worker asked the owner whether it is done; set once, by a claim.
    asked_at = models.DateTimeField(null=True, blank=True)

    objects = CallActionQuerySet.as_manager()

    class Meta:
        ordering = ("call", "position")
        indexes = (models.Index(fields=["status", "asked_at", "due_at"], name="call_action_due"),)
        constraints = (models.CheckConstraint(condition=~Q(text=""), name="call_action_text"),)

    def __str__(self) -> str:
        return f"call action {self.pk}: {self.text[:40]}"

    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING


class AnswerQuerySet(ImmutableQuerySet["CallActionAnswer"]):
    pass


class CallActionAnswer(ImmutableRecord):
    """Whether an action is done, as someone answered at a time. The latest one stands."""

    action = models.ForeignKey(CallAction, on_delete=models.PROTECT, related_name="answers")
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_answers"
    )
    done = models.BooleanField()
    note = models.TextField(blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.action}: {'done' if self.done else 'not done'} at {self.at:%Y-%m-%d %H:%M}"
