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
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.actions.models import ActionCard
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
    """One complex case on the board (seed 003, Wash-up board columns)."""

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
