"""Administrators manage people here; their roles are memberships (orgs admin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from surgewatch.web.accounts.models import SsoIdentity, User

admin.site.register(User, UserAdmin)

if TYPE_CHECKING:
    IdentityAdminBase = admin.ModelAdmin[SsoIdentity]
else:
    IdentityAdminBase = admin.ModelAdmin


@admin.register(SsoIdentity)
class SsoIdentityAdmin(IdentityAdminBase):
    """Who signs in through the identity provider. Deleting a row unlinks the account:
    that person's next single sign-on is refused while a local account holds the name."""

    list_display = ("user", "subject", "linked_at", "last_seen_at")
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "subject", "linked_at", "last_seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the first single sign-on, never by hand
