"""Wash-up board records: complex cases and the blockers escalated from the weekly cycle.

Seed 003 (Kent, 'Acute Hospital Optimisation'): 'All complex cases (those at risk of
leading to placement) are added to the wash up board', each with the patient, ideal
outcome, expected outcome, blocker reason, and an action with its owner and deadline,
reviewed on a date; 'once the discharge date is confirmed' the ideal and actual outcome,
blocker and date of discharge are recorded. Outcome, blocker and attribution ids come
from ``surgewatch/improvement/data/washup.yaml``.

A case is patient-level: it names a person by a pseudonymous reference only, opens only
for the pack's ``sees_patient_records`` roles in its area, every read of it is logged
(``audit.capture.viewed``) and every change is on the audit log (signals). Closed cases
are deleted once the retention period has passed (``washup.retention``).

Amendments supersede; they never overwrite (DESIGN.md, 'Security and records'). Each
save of a case (opening it, each weekly update, closing it) stores a
``WashupCaseRevision`` with the full field values, who and when; ``WashupCase`` is the
current state only, kept for cheap board and cycle queries.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.accounts.models import User
from surgewatch.web.actions.models import ActionCard
from surgewatch.web.decisions.models import (
    ImmutableQuerySet,
    ImmutableRecord,
    ImmutableRecordError,
)
from surgewatch.web.orgs.models import Area, Organisation

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/-]{2,31}$"


class CaseQuerySet(models.QuerySet["WashupCase"]):
    def open(self) -> CaseQuerySet:
        return self.filter(closed_at__isnull=True)

    def closed(self) -> CaseQuerySet:
        return self.filter(closed_at__isnull=False)

    def in_areas(self, areas: list[Area]) -> CaseQuerySet:
        """The cases of the areas a user may open (``patient_record_areas``)."""
        return self.filter(area__in=areas)

    def for_board(self) -> CaseQuerySet:
        return self.select_related("area", "organisation").order_by("review_date", "pk")


class WashupCase(models.Model):
    """One complex case on the board (seed 003, Wash-up board columns), as it stands now.

    The current row is kept (rather than reading the latest revision) so the board, the
    weekly cycle and DTOC filter and index plain columns, and the constraints (one open
    case per reference, a closed case has its discharge) hold on the current state. Only
    ``services.open_case`` and ``services.update_case`` write it, each together with a
    new ``WashupCaseRevision`` in the same transaction, so the latest revision always
    equals this row; the revisions keep every earlier state.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="washup_cases"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="washup_cases")
    # The seed's board shows 'Patient's name'; here only a pseudonymous reference (the
    # SWIFT patient ID the seed has the Business Support Officer enter), never a name.
    reference = models.CharField(max_length=32)
    hospital = models.CharField(max_length=120)
    ward = models.CharField(max_length=80)
    ideal_outcome = models.SlugField(max_length=64)
    expected_outcome = models.SlugField(max_length=64)
    blocker = models.SlugField(max_length=64)
    blocker_detail = models.TextField(blank=True)
    action = models.TextField()
    action_owner = models.CharField(max_length=120)
    action_deadline = models.DateField()
    action_done_on = models.DateField(null=True, blank=True)
    review_date = models.DateField()
    # DTOC: the day the person was ready for transfer, and who the delay is attributed to.
    fit_for_discharge_on = models.DateField(null=True, blank=True)
    delay_attribution = models.SlugField(max_length=64, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    actual_outcome = models.SlugField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    objects = CaseQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=["organisation", "closed_at"], name="washup_case_open"),
            models.Index(fields=["closed_at"], name="washup_case_closed"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                condition=Q(closed_at__isnull=True),
                name="washup_one_open_case_per_reference",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(discharge_date__isnull=False) & ~Q(actual_outcome="")),
                name="washup_closed_case_has_discharge_and_outcome",
            ),
        )

    def __str__(self) -> str:
        return f"wash-up case {self.pk} ({self.area.slug})"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class BlockerEscalation(models.Model):
    """A blocker taken from the weekly improvement cycle to the area management team.

    Seed 003, 'Weekly improvement cycle': 'Action taken to resolve blocker issue during
    weekly improvement cycle or escalated to area management team'. Holds counts only,
    no patient reference; ``card`` is the action card it opened.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="blocker_escalations"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="blocker_escalations")
    blocker = models.SlugField(max_length=64)
    cases = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    note = models.TextField()
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField()
    card = models.ForeignKey(ActionCard, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.blocker} escalated for {self.area.slug} at {self.escalated_at:%Y-%m-%d}"


# What a revision copies from the case: the fields a person types (``CaseFields``).
REVISED_FIELDS = (
    "reference",
    "hospital",
    "ward",
    "ideal_outcome",
    "expected_outcome",
    "blocker",
    "blocker_detail",
    "action",
    "action_owner",
    "action_deadline",
    "action_done_on",
    "review_date",
    "fit_for_discharge_on",
    "delay_attribution",
    "discharge_date",
    "actual_outcome",
)


class RevisionQuerySet(ImmutableQuerySet["WashupCaseRevision"]):
    def for_history(self) -> RevisionQuerySet:
        return self.select_related("recorded_by").order_by("number")


class WashupCaseRevision(ImmutableRecord):
    """One save of a case, never changed: the case's full values after the save.

    Seed 003 has each case 'reviewed' weekly and its outcome recorded 'once the discharge
    date is confirmed'; every such review is kept, so what the board said on a date can be
    read back. Patient-level like the case: read only through the case's checks, and every
    read logged. ``number`` counts from 1 (the opening) per case.

    Deleted only by the retention purge, with its case (``purge_for_retention``); the case
    is protected while it has revisions, so a plain ``case.delete()`` is refused.
    """

    case = models.ForeignKey(WashupCase, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What changed and why (optional).")
    closed_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=32)
    hospital = models.CharField(max_length=120)
    ward = models.CharField(max_length=80)
    ideal_outcome = models.SlugField(max_length=64)
    expected_outcome = models.SlugField(max_length=64)
    blocker = models.SlugField(max_length=64)
    blocker_detail = models.TextField(blank=True)
    action = models.TextField()
    action_owner = models.CharField(max_length=120)
    action_deadline = models.DateField()
    action_done_on = models.DateField(null=True, blank=True)
    review_date = models.DateField()
    fit_for_discharge_on = models.DateField(null=True, blank=True)
    delay_attribution = models.SlugField(max_length=64, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    actual_outcome = models.SlugField(max_length=64, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ("case", "number")
        constraints = (
            models.UniqueConstraint(fields=["case", "number"], name="washup_revision_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="washup_revision_from_1"),
            # The same rule as the case's: a closed state names its discharge.
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(discharge_date__isnull=False) & ~Q(actual_outcome="")),
                name="washup_closed_revision_has_discharge",
            ),
        )

    def __str__(self) -> str:
        return f"revision {self.number} of wash-up case {self.case_id}"

    @classmethod
    def of(cls, case: WashupCase, number: int, user: User, note: str) -> WashupCaseRevision:
        """An unsaved revision holding ``case``'s current values."""
        values = {name: getattr(case, name) for name in REVISED_FIELDS}
        return cls(
            case=case,
            number=number,
            recorded_at=case.updated_at,
            recorded_by=user,
            note=note,
            closed_at=case.closed_at,
            **values,
        )

    @classmethod
    def purge_for_retention(cls, case: WashupCase, cutoff: datetime) -> int:
        """Delete the revisions of a case closed before ``cutoff``; the one way to.

        For ``retention.purge_closed_cases`` alone (issue 7, 'Security': closed
        patient-level records go once the retention period has passed). It skips
        ``ImmutableRecord.delete`` on purpose, deleting row by row through
        ``Model.delete`` so each deletion is on the audit log, and refuses any case that
        is open or closed on or after the cut-off. The caller deletes the case next, in
        the same transaction.
        """
        if case.closed_at is None or case.closed_at >= cutoff:
            raise ImmutableRecordError(
                f"wash-up case {case.pk}: its revisions go only with the case, once it has "
                f"been closed for the retention period; fix: leave them"
            )
        revisions = list(cls.objects.filter(case=case).order_by("number"))
        for revision in revisions:
            models.Model.delete(revision)
        return len(revisions)
