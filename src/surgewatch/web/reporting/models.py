"""Readings, never overwritten, and the one current reading per (area, indicator).

DESIGN.md, 'Security and records': every submission is attributable and never
overwritten; an amendment is a new record that supersedes the old.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.orgs.models import Area, Framework, Organisation


class ReadingKind(models.TextChoices):
    REPORT = "report", "Report"
    AMENDMENT = "amendment", "Amendment"
    CONFIRMATION = "confirmation", "No change since last report"


def _only_for(kind: ReadingKind, link: str) -> Q:
    """``link`` is set exactly when the row is of ``kind``."""
    has_link = Q(**{f"{link}__isnull": False})
    return (Q(kind=kind) & has_link) | (~Q(kind=kind) & ~has_link)


class Reading(models.Model):
    """One value for one indicator in one area at one time, with the level it was given.

    ``level``, ``colour``, ``cell_status`` and ``warnings`` are what the engine
    said under ``framework`` at submission; they are never recomputed in place.
    An amendment points at the row it replaces (``supersedes``, at most once);
    a confirmation repeats a value and points at the row that measured it
    (``confirms``).
    """

    indicator = models.SlugField(max_length=64)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="readings")
    value = models.FloatField()
    observed_at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=ReadingKind.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="readings"
    )
    submitted_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    confirms = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="confirmations"
    )
    reason = models.TextField(blank=True)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    colour = models.CharField(max_length=16)
    cell_status = models.CharField(max_length=16)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["area", "indicator", "-observed_at"], name="reading_cell_latest"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
                name="reading_level_1_to_4",
            ),
            models.CheckConstraint(
                condition=_only_for(ReadingKind.AMENDMENT, "supersedes"),
                name="reading_amendment_supersedes",
            ),
            models.CheckConstraint(
                condition=_only_for(ReadingKind.CONFIRMATION, "confirms"),
                name="reading_confirmation_confirms",
            ),
        )

    def __str__(self) -> str:
        return f"{self.indicator} in {self.area.slug} = {self.value:g} ({self.kind})"


class CurrentReading(models.Model):
    """The reading now standing for one (area, indicator) cell.

    Maintained in the same transaction as every submission, so the current
    status of an organisation is one indexed read, never a scan of history.
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="current_readings")
    indicator = models.SlugField(max_length=64)
    reading = models.OneToOneField(Reading, on_delete=models.PROTECT, related_name="current_for")
    # The reading that stood before, kept so the board can show a trend without
    # reading history. An amendment of the current value leaves it as it was.
    previous = models.ForeignKey(
        Reading, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["area", "indicator"], name="current_reading_per_cell"),
        )

    def __str__(self) -> str:
        return f"current {self.indicator} in {self.area.slug}"


class ImportStatus(models.TextChoices):
    STAGED = "staged", "Checked, waiting to be imported"
    COMMITTED = "committed", "Imported"
    DISCARDED = "discarded", "Cancelled"


class ImportBatch(models.Model):
    """A file of readings, every row checked, waiting for its uploader to import it.

    Nothing reaches Reading until the uploader commits: commit re-checks the rows
    and submits them in one transaction, once (issue 3: a bad row rejects the
    whole import). ``token`` names the batch in its address, so a batch cannot be
    found by counting ids; ``framework`` is the plan the rows were checked
    against, so a preview's levels are never applied under other rules.
    """

    token = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="import_batches"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    uploaded_at = models.DateTimeField()
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    # One object per reading: row (as the spreadsheet numbers it), area, indicator,
    # value and observed_at (ISO 8601, UTC).
    rows = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.STAGED
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=["organisation", "sha256"], name="import_batch_file"),)
        constraints = (
            models.CheckConstraint(
                condition=(Q(status=ImportStatus.COMMITTED) & Q(committed_at__isnull=False))
                | (~Q(status=ImportStatus.COMMITTED) & Q(committed_at__isnull=True)),
                name="import_batch_committed_at",
            ),
        )

    def __str__(self) -> str:
        return f"import of {self.filename} into {self.organisation.slug} ({self.status})"
