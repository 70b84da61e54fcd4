"""Readings are on record for good: the admin shows them and changes nothing."""

from __future__ import annotations

from django.contrib import admin

from surgewatch.web.orgs.admin import ReadOnlyAdmin
from surgewatch.web.reporting.models import Reading


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "area", "value", "level", "kind", "observed_at", "submitted_by")
    list_filter = ("kind", "level", "area__organisation", "indicator")
    date_hierarchy = "observed_at"
