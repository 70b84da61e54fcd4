"""Bearer tokens: the API's only way in, so no session cookie can ride along (no CSRF)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from surgewatch.web.accounts.models import User
from surgewatch.web.api.services import TOKEN_PREFIX, user_for_token
from surgewatch.web.audit.context import acting_with_token

# Tokens are TOKEN_PREFIX plus 43 characters; anything far longer is not ours,
# and refusing it early keeps hashing cheap whatever a client sends.
MAX_TOKEN_LENGTH = 128


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            return None
        acting_with_token(request, token)  # this request's writes are the token's (audit log)
        return user_for_token(token, now=timezone.now())
