"""Call records are on record for good: the admin shows them and changes nothing."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from surgewatch.web.calls.models import Call, CallAction, CallActionAnswer, CallAttendee
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
    model = CallAttendee


class ActionInline(_ReadOnlyInline):
    model = CallAction
    fields = ("position", "partner", "text", "owner", "due_at", "status", "asked_at")


class AnswerInline(_ReadOnlyInline):
    model = CallActionAnswer


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("pk", "organisation", "call_name", "held_at", "level", "chair")
    list_filter = ("organisation", "call_id", "level")
    inlines = (AttendeeInline, ActionInline)


@admin.register(CallAction)
class CallActionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "call", "partner", "owner", "due_at", "status", "asked_at")
    list_filter = ("status",)
    search_fields = ("text", "partner")
    inlines = (AnswerInline,)
