"""The audit log in the admin: searchable, filterable, and never editable."""

from __future__ import annotations

from django.contrib import admin

from surgewatch.web.audit.models import AuditEntry
from surgewatch.web.orgs.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "model", "object_id", "via", "request_path")
    list_filter = ("action", "via", "model")
    search_fields = ("actor", "model", "object_id", "request_path")
    date_hierarchy = "at"
