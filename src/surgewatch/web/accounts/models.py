"""The user model. Roles are not here: they come from a pack, through orgs.Membership."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in; swapping the user model later is painful, so it starts ours."""


class SsoIdentity(models.Model):
    """The identity provider's subject (``sub``) for a person who signs in with single sign-on.

    People are matched by this, never by email or username, so an address reused
    at the provider cannot take over a local account.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    subject = models.CharField(max_length=255, unique=True)
    linked_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} ({self.subject})"
