"""The decision and dynamic risk assessment log, and meetings of the escalation group.

Seed 000, Appendix 4: 'all decisions should be recorded, including those to
mitigate anticipated risks, as well information on how a risk has been
identified and measured to determine its potential for harm'. Seed 000,
section 5.2: the KCC Operational Pressures Escalation Group considers the
current position, the actions required and the support needed, and may
escalate the KCC OPEL status.

Both are records (DESIGN.md, 'Security and records'): never updated, never
deleted. A correction is a new row that points at the row it corrects
(``corrects``, at most once), so the original text stays on record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from surgewatch.web.actions.models import ActionCard
from surgewatch.web.orgs.models import Framework, Organisation

# A review within this long is shown as due (a local setting: the plan sets
# no figure; the NHS 111 DoS protocol reviews every 4 hours, so two hours'
# notice leaves time to gather the next readings).
REVIEW_DUE_SOON = timedelta(hours=2)

_Record = TypeVar("_Record", bound=models.Model)


class ImmutableRecordError(Exception):
    """An attempt to change or delete a row of the log; record a correction instead."""


def _refuse(what: str) -> ImmutableRecordError:
    return ImmutableRecordError(
        f"{what}: records of the log cannot be changed or deleted; "
        "fix: record a correction that references the entry"
    )


class ImmutableQuerySet(models.QuerySet[_Record]):
    """Bulk ``update`` and ``delete`` would bypass ``save``, so they are refused too."""

    def update(self, **kwargs: Any) -> int:
        raise _refuse(f"{self.model._meta.verbose_name_plural}")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise _refuse(f"{self.model._meta.verbose_name_plural}")


class ImmutableRecord(models.Model):
    """A row written once by a service and never again."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise _refuse(f"{self._meta.verbose_name} {self.pk}")
        # Forced, so a hand-made instance carrying an existing pk fails on the
        # unique key instead of silently updating that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise _refuse(f"{self._meta.verbose_name} {self.pk}")


class ReviewState(StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"


def _correction_has_reason() -> Q:
    """A correction says why; an original has no correction reason."""
    correction = Q(corrects__isnull=False) & ~Q(correction_reason="")
    original = Q(corrects__isnull=True) & Q(correction_reason="")
    return correction | original


def _level_or_none(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 4})


class DecisionQuerySet(ImmutableQuerySet["Decision"]):
    def for_log(self) -> DecisionQuerySet:
        """Newest decision first, with what the log shows beside each entry."""
        related = self.select_related("recorded_by", "corrects", "correction", "framework")
        return related.prefetch_related("reviews").order_by("-decided_at", "-pk")


class Decision(ImmutableRecord):
    """One entry of the decision and dynamic risk assessment log (seed 000, Appendix 4).

    ``snapshot`` is the organisation's status when the entry was first
    recorded (see :mod:`surgewatch.web.decisions.snapshot`); ``snapshot_level``
    is its standing level, kept as a column so the log can list and export it.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.TextField()
    risk = models.TextField()
    identified_by = models.TextField()
    measured_by = models.TextField()
    # Appendix 4: decisions 'must consider the wider external factors'.
    external_factors = models.TextField(blank=True)
    decided_by = models.CharField(max_length=300)
    decided_at = models.DateTimeField()
    review_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions_recorded"
    )
    recorded_at = models.DateTimeField()
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField()
    snapshot_level = models.PositiveSmallIntegerField(null=True, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    correction_reason = models.TextField(blank=True)
    # Appendix 4's 'follow-up review time' is a due item for the person who
    # decided: ``decider`` (null on entries made before it was asked), and the
    # card that carries the review on their My actions and the clocks. A
    # correction that keeps the review time and the person keeps the card.
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_to_review",
    )
    review_card = models.ForeignKey(
        ActionCard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_decisions",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=["organisation", "-decided_at"], name="decision_log_latest"),
            models.Index(fields=["organisation", "recorded_at"], name="decision_recorded"),
        )
        constraints = (
            models.CheckConstraint(condition=~Q(decision=""), name="decision_not_empty"),
            models.CheckConstraint(
                condition=Q(review_at__gt=F("decided_at")), name="decision_review_after"
            ),
            models.CheckConstraint(
                condition=_level_or_none("snapshot_level"), name="decision_level_1_to_4"
            ),
            models.CheckConstraint(
                condition=_correction_has_reason(), name="decision_correction_reason"
            ),
        )

    def __str__(self) -> str:
        return f"decision {self.pk} in {self.organisation.slug}"

    @property
    def corrected_by(self) -> Decision | None:
        """The entry that corrects this one, if any (the reverse of ``corrects``)."""
        try:
            return self.correction
        except Decision.DoesNotExist:
            return None

    def review_state(self, now: datetime) -> ReviewState:
        """Done once a review is recorded; else due within ``REVIEW_DUE_SOON`` of
        ``review_at``, overdue after it.

        A corrected entry is replaced by its correction, which carries the review.
        """
        if self.corrected_by is not None:
            return ReviewState.NOT_DUE
        if self.reviews.exists():
            return ReviewState.DONE
        if now < self.review_at - REVIEW_DUE_SOON:
            return ReviewState.NOT_DUE
        return ReviewState.OVERDUE if now >= self.review_at else ReviewState.DUE


class ReviewQuerySet(ImmutableQuerySet["DecisionReview"]):
    pass


class DecisionReview(ImmutableRecord):
    """A follow-up review of a decision, done (seed 000, Appendix 4: 'follow-up review
    time'; DRA is continuous). A new record linked to the decision, which stays as written."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField()
    outcome = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decision_reviews"
    )
    recorded_at = models.DateTimeField()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ("reviewed_at", "pk")
        constraints = (
            models.CheckConstraint(condition=~Q(outcome=""), name="decision_review_outcome"),
        )

    def __str__(self) -> str:
        return f"review of decision {self.decision_id} at {self.reviewed_at:%Y-%m-%d %H:%M}"


class MeetingQuerySet(ImmutableQuerySet["Meeting"]):
    def for_log(self) -> MeetingQuerySet:
        related = self.select_related("recorded_by", "corrects", "correction")
        return related.prefetch_related("actions__card").order_by("-convened_at", "-pk")


class Meeting(ImmutableRecord):
    """A meeting of one of the pack's groups (seed 000, section 5.2).

    ``group_id`` and ``group_name`` are copied from the pack in force, so the
    record reads the same after the pack changes. ``agreed_level`` is the
    status change the group agreed, or null when it agreed none.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings"
    )
    group_id = models.SlugField(max_length=64)
    group_name = models.CharField(max_length=300)
    convened_at = models.DateTimeField()
    convened_by = models.CharField(max_length=300)
    chair = models.CharField(max_length=300)
    chair_role = models.CharField(max_length=300)
    position = models.TextField(blank=True)
    support_required = models.TextField(blank=True)
    agreed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_level_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_recorded"
    )
    recorded_at = models.DateTimeField()
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField()
    snapshot_level = models.PositiveSmallIntegerField(null=True, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    correction_reason = models.TextField(blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=["organisation", "-convened_at"], name="meeting_log_latest"),
            models.Index(fields=["organisation", "recorded_at"], name="meeting_recorded"),
        )
        constraints = (
            models.CheckConstraint(
                condition=_level_or_none("agreed_level"), name="meeting_agreed_level_1_to_4"
            ),
            # An agreed status change says why.
            models.CheckConstraint(
                condition=Q(agreed_level__isnull=True) | ~Q(agreed_level_reason=""),
                name="meeting_agreed_level_reason",
            ),
            models.CheckConstraint(
                condition=_level_or_none("snapshot_level"), name="meeting_level_1_to_4"
            ),
            models.CheckConstraint(
                condition=_correction_has_reason(), name="meeting_correction_reason"
            ),
        )

    def __str__(self) -> str:
        return f"{self.group_name} meeting {self.pk}"

    @property
    def corrected_by(self) -> Meeting | None:
        try:
            return self.correction
        except Meeting.DoesNotExist:
            return None


class AttendeeQuerySet(ImmutableQuerySet["MeetingAttendee"]):
    pass


class MeetingAttendee(ImmutableRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=300)

    objects = AttendeeQuerySet.as_manager()

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class AgreedActionQuerySet(ImmutableQuerySet["MeetingAction"]):
    pass


class MeetingAction(ImmutableRecord):
    """An action the group agreed: what, who owns it, and by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    owner = models.CharField(max_length=300)
    due_at = models.DateTimeField()
    # The owner as a person holding a role here (null on rows naming only a role
    # or a name), and the card that puts the action on their My actions.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )
    card = models.ForeignKey(
        ActionCard, on_delete=models.PROTECT, null=True, blank=True, related_name="agreed_actions"
    )

    objects = AgreedActionQuerySet.as_manager()

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return f"{self.text[:40]} ({self.owner})"
