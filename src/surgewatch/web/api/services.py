"""Writes for API tokens: issue, revoke, and resolve a presented token to its user.

The bulk readings path lives in :mod:`surgewatch.web.api.ingest` and the
idempotency store in :mod:`surgewatch.web.api.idempotency`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from surgewatch.web.accounts.models import User
from surgewatch.web.api.models import ApiToken

# A recognisable prefix lets secret scanners and people spot a leaked token.
TOKEN_PREFIX = "sw_"
# last_used_at is for spotting dead tokens, not auditing requests, so a write
# per request is not worth it on a busy feed: refresh at most this often.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str, *, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its plaintext, which is never stored or shown again."""
    if not name.strip():
        raise ValidationError({"name": ["is empty; fix: say what the token is for"]})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_sha256=hash_token(plaintext),
        created_at=now or timezone.now(),
    )
    return token, plaintext


def revoke_token(token: ApiToken, *, now: datetime | None = None) -> ApiToken:
    """Stop a token working; the row stays so its use remains on record. Idempotent."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(plaintext: str, *, now: datetime) -> User | None:
    """The active user behind a live token, or None; notes when the token was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=hash_token(plaintext), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
