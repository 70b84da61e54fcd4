"""The log and meeting records are on record for good: the admin shows them, changes nothing."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from surgewatch.web.decisions.models import (
    Decision,
    DecisionReview,
    Meeting,
    MeetingAction,
    MeetingAttendee,
)
from surgewatch.web.orgs.admin import ReadOnlyAdmin


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AttendeeInline(_ReadOnlyInline):
    model = MeetingAttendee


class ActionInline(_ReadOnlyInline):
    model = MeetingAction


class ReviewInline(_ReadOnlyInline):
    model = DecisionReview


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "decided_at", "decided_by", "snapshot_level", "corrects")
    list_filter = ("organisation", "snapshot_level")
    search_fields = ("decision", "risk", "decided_by")
    inlines = (ReviewInline,)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "group_name", "convened_at", "chair", "agreed_level")
    list_filter = ("organisation", "group_id")
    inlines = (AttendeeInline, ActionInline)
