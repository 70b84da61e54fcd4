"""The audit log: one row per created, changed or deleted row of the project.

DESIGN.md, 'Security and records': every change is attributable. Entries
are append-only, like the decision log (``ImmutableRecord``): saving an
existing entry, deleting one, and bulk update or delete are all refused.

The acting user and token are kept as plain ids with the name shown at the
time, not as foreign keys: deleting a user must neither delete nor rewrite
(SET NULL) the entries that say what they did.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from surgewatch.web.decisions.models import ImmutableQuerySet, ImmutableRecord


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    # Patient-level records are sensitive to read as well as to change (issue 7, 'Security').
    VIEWED = "viewed", "Viewed"


class AuditVia(models.TextChoices):
    """Which write path made the change: bulk paths bypass the model's signals."""

    SAVE = "save", "Save or delete of one row"
    BULK_CREATE = "bulk_create", "Bulk insert"
    UPDATE = "update", "Bulk update"
    COPY = "copy", "PostgreSQL COPY or raw SQL"


class AuditEntry(ImmutableRecord):
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(
        max_length=200,
        db_index=True,
        help_text="Username, API token, 'system:<task>' or 'command:<name>' at the time.",
    )
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    token_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    model = models.CharField(max_length=100, help_text="App label and model, e.g. 'orgs.area'.")
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    via = models.CharField(max_length=12, choices=AuditVia.choices, default=AuditVia.SAVE)
    request_method = models.CharField(max_length=10, blank=True)
    request_path = models.CharField(max_length=500, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ("-at", "-pk")
        indexes = (models.Index(fields=["model", "object_id"], name="audit_model_object"),)

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.model} {self.object_id}"
        )
