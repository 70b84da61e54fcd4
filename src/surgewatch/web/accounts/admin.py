"""Administrators manage people here; their roles are memberships (orgs admin)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from surgewatch.web.accounts.models import User

admin.site.register(User, UserAdmin)
