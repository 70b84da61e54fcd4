"""Assessments and their ratings are records: the admin shows them and changes nothing.
Improvement actions change status only through the plan page, so they are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from surgewatch.web.improve.models import Assessment, ImprovementAction, Rating
from surgewatch.web.orgs.admin import ReadOnlyAdmin


class RatingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Rating
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "area", "framework_id", "number", "assessed_on")
    list_filter = ("organisation", "framework_id")
    inlines = (RatingInline,)


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "framework_id", "number", "owner", "due_on", "status")
    list_filter = ("organisation", "framework_id", "status")
