"""Governance records in the admin: shown, never edited there.

Revisions are proposed and approved on the governance pages, where the rules
(a different approver, a declaring role) are checked; history comes from files.
"""

from __future__ import annotations

from django.contrib import admin

from surgewatch.web.governance.models import (
    DocumentVersion,
    ExerciseEntry,
    PackRevision,
    PlanApproval,
    SignOffMeeting,
)
from surgewatch.web.orgs.admin import ReadOnlyAdmin


@admin.register(PackRevision)
class PackRevisionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "pack_id", "version", "status", "proposed_by")
    list_filter = ("organisation", "status")


@admin.register(PlanApproval)
class PlanApprovalAdmin(ReadOnlyAdmin):
    list_display = ("pk", "plan_version", "approved_by", "approved_at")


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "document", "version", "revised_on", "status")
    list_filter = ("organisation",)


@admin.register(SignOffMeeting)
class SignOffMeetingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "document", "meeting", "meeting_date", "outcome")
    list_filter = ("organisation",)


@admin.register(ExerciseEntry)
class ExerciseEntryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "held_on", "kind", "title")
    list_filter = ("organisation", "kind")
