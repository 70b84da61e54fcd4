"""Declarations are on record for good: the admin shows them and changes nothing."""

from __future__ import annotations

from django.contrib import admin

from surgewatch.web.escalation.models import Declaration
from surgewatch.web.orgs.admin import ReadOnlyAdmin


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "level", "suggested_level", "declared_by", "declared_at")
    list_filter = ("organisation", "level")
