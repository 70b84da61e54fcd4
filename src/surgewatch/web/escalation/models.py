"""Declared organisation levels: each declaration a new row, never edited.

Seed 000, sections 5.2 and 8: the Short-Term Pathway Service Manager declares
the organisation's OPEL status daily 'according to available trend data'. The
row keeps what the engine suggested at that moment and, when the declaration
differs, the reason given (DESIGN.md, 'Security and records').
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from surgewatch.web.orgs.models import Framework, Organisation


class DeclarationQuerySet(models.QuerySet["Declaration"]):
    def latest_first(self) -> DeclarationQuerySet:
        return self.select_related("declared_by").order_by("-declared_at", "-pk")


class Declaration(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="declarations"
    )
    level = models.PositiveSmallIntegerField()
    suggested_level = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    reason = models.TextField(blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declarations"
    )
    declared_at = models.DateTimeField()
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        indexes = (
            models.Index(fields=["organisation", "-declared_at"], name="declaration_latest"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="declaration_level_1_to_4"
            ),
            # A declaration that departs from the suggestion must say why.
            models.CheckConstraint(
                condition=Q(suggested_level__isnull=True)
                | Q(level=models.F("suggested_level"))
                | ~Q(reason=""),
                name="declaration_reason_when_differs",
            ),
        )

    def __str__(self) -> str:
        return f"{self.organisation.slug} declared OPEL {self.level}"

    @property
    def differs(self) -> bool:
        return self.suggested_level is not None and self.level != self.suggested_level
