"""API tokens in the Django admin: issue (plaintext shown once), list, revoke; never edit a hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from surgewatch.web.api.models import ApiToken
from surgewatch.web.api.services import issue_token, revoke_token

# ModelAdmin is generic only in django-stubs; at run time it cannot be subscripted.
if TYPE_CHECKING:
    TokenAdminBase = admin.ModelAdmin[ApiToken]
else:
    TokenAdminBase = admin.ModelAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(TokenAdminBase):
    list_display = ("name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username")
    fields = ("user", "name", "key_sha256", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_sha256", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        """Who a token belongs to is fixed once issued; only its name may change."""
        if obj is not None:
            return (*self.readonly_fields, "user")
        return self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: ModelForm[ApiToken], change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        token, plaintext = issue_token(obj.user, obj.name)
        obj.pk, obj.key_sha256, obj.created_at = token.pk, token.key_sha256, token.created_at
        obj._state.adding = False
        self.message_user(
            request,
            f"Token for {token.user}: {plaintext} (copy it now: it is stored only as a hash "
            "and will not be shown again)",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            revoke_token(token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)
