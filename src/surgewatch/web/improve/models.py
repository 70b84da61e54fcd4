"""Self-assessments against a framework (seed 003's HICM, seed 004's winter roles) and the
improvement actions planned from them.

An assessment is a record (DESIGN.md, 'Security and records'): written once, never
changed; a new assessment is a new record, and results compare it with the one
before. It keeps the framework's id, edition and the digest of the file that defined
its criteria (STYLE.md: every assessment records the pack version). Improvement
actions are the rows of seed 003's action planning template; only their status
moves (open, done), and every save is audited by the audit app's signals.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.decisions.models import ImmutableQuerySet, ImmutableRecord
from surgewatch.web.orgs.models import Area, Organisation

TEXT_LIMIT = 4000


class AssessmentQuerySet(ImmutableQuerySet["Assessment"]):
    def for_scope(
        self, organisation: Organisation, framework_id: str, area: Area | None
    ) -> AssessmentQuerySet:
        """One organisation's assessments against one framework, for the whole or one area."""
        return self.filter(organisation=organisation, framework_id=framework_id, area=area)

    def newest_first(self) -> AssessmentQuerySet:
        return self.select_related("recorded_by", "area").order_by("-assessed_on", "-number")


class Assessment(ImmutableRecord):
    """One self-assessment: who took part, when, and a rating per criterion (``ratings``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessments"
    )
    # Seed 003 asks 'local health and care systems' to self-assess; an area may too
    # (Kent's changes were 'well established in East Kent, in development in West').
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    framework_id = models.SlugField(max_length=64)
    framework_edition = models.CharField(max_length=32)
    framework_sha256 = models.CharField(max_length=64)
    # Numbered per organisation and framework: 'HICM assessment 3'.
    number = models.PositiveIntegerField()
    assessed_on = models.DateField()
    assessors = models.TextField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_recorded"
    )
    recorded_at = models.DateTimeField()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["organisation", "framework_id", "number"], name="assessment_number_once"
            ),
            models.CheckConstraint(condition=~Q(assessors=""), name="assessment_names_assessors"),
        )

    def __str__(self) -> str:
        return f"{self.framework_id} assessment {self.number} of {self.organisation_id}"


class RatingQuerySet(ImmutableQuerySet["Rating"]):
    pass


class Rating(ImmutableRecord):
    """The level given to one criterion, with the evidence for it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="ratings")
    group_id = models.SlugField(max_length=64)
    criterion_id = models.SlugField(max_length=64)
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField(blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["assessment", "criterion_id"], name="rating_criterion_once"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=9), name="rating_level"),
        )

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.level}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ImprovementActionQuerySet(models.QuerySet["ImprovementAction"]):
    def open(self) -> ImprovementActionQuerySet:
        return self.filter(status=ActionStatus.OPEN)

    def by_due_date(self) -> ImprovementActionQuerySet:
        """Earliest due first, so overdue actions lead (they are due before today)."""
        related = self.select_related("owner", "organisation", "area")
        return related.order_by("due_on", "number")


class ImprovementAction(models.Model):
    """A row of seed 003's action planning template for one change, with an owner.

    The four answers are fixed once written; ``status`` moves between open and done.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="improvement_actions"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="improvement_actions"
    )
    framework_id = models.SlugField(max_length=64)
    group_id = models.SlugField(max_length=64)
    number = models.PositiveIntegerField()
    # The assessment standing when the action was planned ('where are you now?').
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    where_now = models.TextField()
    what_to_do = models.TextField()
    due_on = models.DateField()
    success_measure = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvement_actions"
    )
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ImprovementActionQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["organisation", "framework_id", "number"], name="improvement_action_once"
            ),
            models.CheckConstraint(condition=~Q(what_to_do=""), name="improvement_action_text"),
        )

    def __str__(self) -> str:
        return f"improvement action {self.number}: {self.what_to_do[:40]}"

    def is_overdue(self, today: date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today
