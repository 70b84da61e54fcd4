"""API tokens and the stored outcome of each idempotent request.

A token acts as its user, with the user's memberships, so the API never has
a scope model of its own. Only the sha256 of a token is stored: a database
leak yields no usable credential, and the plaintext is shown once, on issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'DGS feed'.")
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(models.Model):
    """The first successful response to a POST carrying an ``Idempotency-Key``.

    Unique per (user, key), so two concurrent requests with one key cannot
    both write: the loser of the race hits the constraint and replays the
    winner's response. ``request_sha256`` covers method, path and body, so
    reusing a key for a different request is detected and refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        )

    def __str__(self) -> str:
        return f"{self.key} for {self.user}"
