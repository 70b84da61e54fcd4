"""Plan governance (issue 7): pack revisions and their approval, approval of plan
versions, a plan's version history and sign-off schedule, and the exercise log.

DESIGN.md, 'Govern and rehearse': versioned plans with approvals. A pack revision
is proposed as a draft and changes nothing live; only approval installs it as a
Framework and puts it in force (``services.approve_revision``). Seed 000,
Appendix 5 gives the version table and the history of plan tests; seed 002 the
sign-off schedule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from surgewatch.exercise.history import ExerciseKind, VersionStatus, month_label
from surgewatch.web.decisions.models import ImmutableQuerySet, ImmutableRecord
from surgewatch.web.orgs.models import Framework, Organisation
from surgewatch.web.plans.models import PlanVersion


class Status(models.TextChoices):
    DRAFT = VersionStatus.DRAFT.value, "Draft"
    APPROVED = VersionStatus.APPROVED.value, "Approved"


class PackRevisionQuerySet(models.QuerySet["PackRevision"]):
    def of(self, organisation: Organisation) -> PackRevisionQuerySet:
        return self.filter(organisation=organisation).select_related(
            "proposed_by", "approved_by", "framework"
        )

    def drafts(self) -> PackRevisionQuerySet:
        return self.filter(status=Status.DRAFT)


class PackRevision(models.Model):
    """A framework pack proposed in the app: a draft until someone else approves it.

    ``framework`` is set on approval, to the Framework row the organisation then runs.
    Only ``status``, ``approved_by``, ``approved_at`` and ``framework`` ever change,
    once, and the audit log records that change.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pack_revisions"
    )
    pack_id = models.SlugField(max_length=64)
    version = models.CharField(max_length=32)
    name = models.CharField(max_length=300)
    yaml_text = models.TextField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    summary = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PackRevisionQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(condition=~Q(summary=""), name="pack_revision_has_summary"),
            # One open draft per version: a second proposal must raise the version.
            models.UniqueConstraint(
                fields=["pack_id", "version"],
                condition=Q(status="draft"),
                name="pack_revision_one_draft_per_version",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", approved_by__isnull=True, framework__isnull=True)
                | Q(
                    status="approved",
                    approved_by__isnull=False,
                    approved_at__isnull=False,
                    framework__isnull=False,
                ),
                name="pack_revision_approval_complete",
            ),
            # Seed 000, Appendix 5 separates who changed a plan from who approved it.
            models.CheckConstraint(
                condition=~Q(approved_by=F("proposed_by")), name="pack_revision_not_self_approved"
            ),
        )

    def __str__(self) -> str:
        return f"{self.pack_id} v{self.version} ({self.status})"


class PlanApproval(ImmutableRecord):
    """A plan version approved: without one, the version is a draft."""

    plan_version = models.OneToOneField(
        PlanVersion, on_delete=models.PROTECT, related_name="governance_approval"
    )
    summary = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(condition=~Q(summary=""), name="plan_approval_has_summary"),
        )

    def __str__(self) -> str:
        return f"{self.plan_version} approved by {self.approved_by}"


class DocumentVersion(ImmutableRecord):
    """A line of a plan document's version table (seed 000, Appendix 5 'Version Control').

    These record the document's history as its owners kept it; ``reviewed_by`` is
    free text because the approvers are groups and named people outside the app.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="document_versions"
    )
    document = models.CharField(max_length=300)
    version = models.CharField(max_length=300)
    revised_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices)
    summary = models.TextField()
    reviewed_by = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=1000, blank=True)
    loaded_at = models.DateTimeField()

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["organisation", "document", "version"], name="document_version_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"


class SignOffMeeting(models.Model):
    """A meeting of a plan's sign-off schedule (seed 002, 'Proposed Governance & Sign-off').

    ``position`` keeps the printed order; ``meeting_date`` is empty while 'TBC'. The
    outcome is recorded once the meeting is held; the audit log keeps every change.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sign_off_meetings"
    )
    document = models.CharField(max_length=300)
    position = models.PositiveIntegerField()
    meeting = models.CharField(max_length=300)
    anticipated_month = models.CharField(max_length=7)
    meeting_date = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["organisation", "document", "position"], name="sign_off_position_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.document}: {self.meeting}"

    @property
    def anticipated(self) -> str:
        return month_label(self.anticipated_month)


class ExerciseKindChoice(models.TextChoices):
    EXERCISE = ExerciseKind.EXERCISE.value, "Exercise"
    ACTUAL_INVOCATION = ExerciseKind.ACTUAL_INVOCATION.value, "Actual invocation"


class ExerciseEntryQuerySet(ImmutableQuerySet["ExerciseEntry"]):
    def of(self, organisation: Organisation) -> ExerciseEntryQuerySet:
        related = ("recorded_by", "pack_revision", "plan_version__plan", "document_version")
        return self.filter(organisation=organisation).select_related(*related)


class ExerciseEntry(ImmutableRecord):
    """A plan test (seed 000, Appendix 5 'History of Plan Tests'): an exercise or the plan
    invoked for real, what happened, the lessons, and the plan changes they led to.

    It may point at the revision that carried the change: a pack revision, a plan
    version, or a line of the document's version table. ``recorded_by`` is empty for
    entries loaded from a history file (``source`` names it).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="exercise_entries"
    )
    held_on = models.DateField()
    kind = models.CharField(max_length=32, choices=ExerciseKindChoice.choices)
    title = models.CharField(max_length=300)
    scenario = models.TextField()
    what_happened = models.TextField(blank=True)
    lessons = models.TextField()
    plan_changes = models.TextField(blank=True)
    pack_revision = models.ForeignKey(
        PackRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    source = models.CharField(max_length=1000, blank=True)

    objects = ExerciseEntryQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(condition=~Q(title=""), name="exercise_has_title"),
            models.CheckConstraint(condition=~Q(lessons=""), name="exercise_has_lessons"),
        )

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
