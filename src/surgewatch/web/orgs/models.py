"""Installed framework packs and the organisations, areas and memberships they define."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Framework(models.Model):
    """One installed version of a pack, with its YAML kept exactly as loaded.

    Every stored level points here, so the rules that produced it can always
    be read back (STYLE.md: every assessment records the pack version).
    """

    pack_id = models.SlugField(max_length=64)
    version = models.CharField(max_length=32)
    name = models.CharField(max_length=300)
    yaml_text = models.TextField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["pack_id", "version"], name="framework_version_once"),
        )

    def __str__(self) -> str:
        return f"{self.pack_id} v{self.version}"


class Organisation(models.Model):
    """The organisation a pack describes; ``framework`` is the version now in force."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.name

    @property
    def pack_id(self) -> str:
        return self.framework.pack_id


class Area(models.Model):
    """A reporting area of an organisation. Never deleted: readings point at it.

    ``active`` is false when the framework in force no longer lists the area.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="areas")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=300)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["organisation", "slug"], name="area_slug_once"),
        )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person holding one of the pack's roles in an organisation.

    ``area`` limits the role to one area; without it the role covers every
    area of the organisation (a county-wide team, a director).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.SlugField(max_length=64)
    is_deputy = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["user", "organisation", "area", "role"],
                condition=Q(area__isnull=False),
                name="membership_area_role_once",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(area__isnull=True),
                name="membership_org_role_once",
            ),
        )

    def __str__(self) -> str:
        where = self.area.slug if self.area else self.organisation.slug
        return f"{self.user} as {self.role} in {where}"
