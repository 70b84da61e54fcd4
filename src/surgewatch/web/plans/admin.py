"""Plans, their versions and uncertainty runs: the admin shows them and changes nothing.

A version is a record (a change is a new version through the plan pages), and a
run is derived from its version, so none is edited by hand.
"""

from __future__ import annotations

from django.contrib import admin

from surgewatch.web.orgs.admin import ReadOnlyAdmin
from surgewatch.web.plans.models import Plan, PlanVersion, UncertaintyRun


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "organisation", "created_by", "created_at")
    list_filter = ("organisation",)
    search_fields = ("title",)


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "plan", "number", "kinds", "uploaded_by", "uploaded_at")
    list_filter = ("plan__organisation",)
    search_fields = ("plan__title", "change_note")


@admin.register(UncertaintyRun)
class UncertaintyRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "version", "replications", "seed", "status", "seconds")
    list_filter = ("status",)
