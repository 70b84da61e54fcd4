"""Patient-level casework records: assessment bed placements, Care Act assessments after
discharge, and reviews after a placement or short-term care package (issue 7; seed 000,
sections 4 and 6.3).

Pseudonymous: a record names a person only by a reference from the case system (such
as a Mosaic case number), never by name or NHS number. Only roles the pack marks
``sees_patient_records`` open them (``surgewatch.web.orgs.permissions``); every read is
logged by the views and every change by the audit app's signals. A record is closed
when its end (or done) date is recorded; closed records are purged after
``settings.PATIENT_RECORD_RETENTION_DAYS`` (``surgewatch purge``), with their corrections.

A mistake in a saved record is put right by a correction (DESIGN.md, 'Security and
records': amendments supersede, they never overwrite): a ``Correction`` row keeps the old
and the new value, who, when and why, and the record carries the new value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.decisions.models import (
    ImmutableQuerySet,
    ImmutableRecord,
    ImmutableRecordError,
)
from surgewatch.web.notify.models import Message
from surgewatch.web.orgs.models import Area

REFERENCE_LENGTH = 40


_Record = TypeVar("_Record", bound=models.Model)


class RecordQuerySet(models.QuerySet[_Record]):
    def open(self) -> Self:
        return self.filter(closed_at__isnull=True)


class PlacementQuerySet(RecordQuerySet["Placement"]):
    pass


class CareActQuerySet(RecordQuerySet["CareActAssessment"]):
    pass


class ReviewQuerySet(RecordQuerySet["Review"]):
    pass


class CaseRecord(models.Model):
    """What every casework record has: who it is (pseudonymously), where, and when it closed."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=REFERENCE_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # Set when the end or done date is recorded; the retention period counts from here.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.reference} in {self.area_id}"


def _open_once(name: str) -> models.UniqueConstraint:
    """One open record per reference and area: a second would double every count."""
    return models.UniqueConstraint(
        fields=["area", "reference"], condition=Q(closed_at__isnull=True), name=name
    )


class Placement(CaseRecord):
    """An assessment bed placement (seed 000, section 6.3)."""

    objects = PlacementQuerySet.as_manager()

    provider = models.CharField(max_length=200)
    provider_email = models.EmailField(max_length=254)
    started_on = models.DateField()
    # The 12-week disregard period usually starts with the placement; when it does not,
    # its own start is recorded here.
    disregard_starts_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # The week-8 provider notice: claimed once (an UPDATE that applies only while this is
    # empty), so two workers never send it twice.
    notice_queued_at = models.DateTimeField(null=True, blank=True)
    notice_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = (_open_once("placement_open_once"),)


class CareActAssessment(CaseRecord):
    """A Care Act assessment due 3 to 6 weeks after discharge (seed 000, section 4, Table 2)."""

    objects = CareActQuerySet.as_manager()

    discharged_on = models.DateField()
    assessed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (_open_once("care_act_open_once"),)


class ReviewKind(models.TextChoices):
    ASSESSMENT_BED = "assessment_bed", "Assessment bed placement"
    SHORT_TERM_PACKAGE = "short_term_package", "Short-term care package"


class Review(CaseRecord):
    """A review due within 6 weeks of a placement's or short-term package's start
    (seed 000, section 4, Table 2 and section 7.7)."""

    objects = ReviewQuerySet.as_manager()

    kind = models.CharField(max_length=24, choices=ReviewKind.choices)
    started_on = models.DateField()
    reviewed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (_open_once("review_open_once"),)


def _one_record() -> Q:
    """Exactly one of the three record keys is set."""
    keys = ("placement", "care_act", "review")
    each = [Q(**{f"{k}__isnull": k != key for k in keys}) for key in keys]
    return Q(*each, _connector=Q.OR)


class CorrectionQuerySet(ImmutableQuerySet["Correction"]):
    def of(self, record: CaseRecord) -> CorrectionQuerySet:
        """The corrections of one record, oldest first, with who made them."""
        found = self.filter(**{KIND_FIELD[type(record)]: record})
        return found.select_related("corrected_by").order_by("corrected_at", "pk")


class Correction(ImmutableRecord):
    """One corrected value of a placement, Care Act assessment or review: written once,
    never changed. One row per field; the rows of one correction share reason and time.

    Values are kept as text (dates as YYYY-MM-DD). The record it belongs to is named by
    exactly one of the three keys.
    """

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    care_act = models.ForeignKey(
        CareActAssessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=254)
    new_value = models.CharField(max_length=254)
    reason = models.TextField()
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField()

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(condition=_one_record(), name="correction_of_one_record"),
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
        )

    def __str__(self) -> str:
        return f"correction {self.pk} of {self.field}"

    @classmethod
    def purge_for_retention(cls, record: CaseRecord, cutoff: datetime) -> int:
        """Delete the corrections of a record closed before ``cutoff``; the one way to.

        For ``retention.purge_closed_records`` alone (issue 7, 'Security': closed
        patient-level records go once the retention period has passed, corrections with
        them). It skips ``ImmutableRecord.delete`` on purpose, deleting row by row through
        ``Model.delete`` so each deletion is on the audit log, and refuses a record that is
        open or closed on or after the cut-off. The caller deletes the record next, in the
        same transaction.
        """
        if record.closed_at is None or record.closed_at >= cutoff:
            raise ImmutableRecordError(
                f"{record}: its corrections go only with it, once it has been closed for "
                "the retention period; fix: leave them"
            )
        corrections = list(cls.objects.of(record))
        for correction in corrections:
            models.Model.delete(correction)
        return len(corrections)


# Which key of a correction names a record of each kind.
KIND_FIELD: dict[type[CaseRecord], str] = {
    Placement: "placement",
    CareActAssessment: "care_act",
    Review: "review",
}
