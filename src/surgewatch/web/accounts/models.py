"""The user model. Roles are not here: they come from a pack, through orgs.Membership."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in; swapping the user model later is painful, so it starts ours."""
