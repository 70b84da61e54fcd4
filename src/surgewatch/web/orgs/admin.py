"""Configuration: organisations, areas and who holds which role.

Frameworks are installed from pack files (``install_pack``), never typed in,
so they are read-only here: stored levels name the version that made them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from surgewatch.web.orgs.models import Area, Framework, Membership, Organisation
from surgewatch.web.orgs.services import check_membership


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """For records that are written by services and never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ("pack_id", "version", "name", "loaded_at")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "framework")
    readonly_fields = ("slug", "framework")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "organisation", "active")
    list_filter = ("organisation", "active")
    readonly_fields = ("organisation", "slug")


class MembershipForm(forms.ModelForm):  # type: ignore[type-arg]
    """Checks a role against the organisation's pack, as ``add_membership`` does."""

    class Meta:
        model = Membership
        fields = ("user", "organisation", "area", "role", "is_deputy")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        organisation, area = data.get("organisation"), data.get("area")
        if isinstance(organisation, Organisation):
            place = area if isinstance(area, Area) else None
            check_membership(organisation, str(data.get("role", "")), place)
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MembershipForm
    list_display = ("user", "role", "organisation", "area", "is_deputy")
    list_filter = ("organisation", "role", "is_deputy")
    search_fields = ("user__username", "role")
