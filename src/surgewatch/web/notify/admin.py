"""Channels and choices can be corrected by an administrator; messages and attempts are
records, so the admin shows them and changes nothing (retry from the outbox instead)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from surgewatch.web.notify.models import Attempt, Channel, Message, Preference
from surgewatch.web.orgs.admin import ReadOnlyAdmin


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "kind", "target", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "target")
    readonly_fields = ("created_at",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("membership", "channel")
    raw_id_fields = ("membership", "channel")


class AttemptInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Attempt
    fields = ("number", "at", "outcome", "error", "duration_ms", "requested_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "recipient", "kind", "subject", "status", "attempt_count", "created_at")
    list_filter = ("status", "kind", "organisation")
    search_fields = ("recipient__username", "subject", "event_key")
    inlines = (AttemptInline,)


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("message", "number", "at", "outcome", "error")
    list_filter = ("outcome",)
