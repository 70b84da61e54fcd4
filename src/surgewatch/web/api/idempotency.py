"""Idempotent POSTs: a retried request with the same ``Idempotency-Key`` changes nothing.

A client that lost a response (a timeout, a dropped connection) can send the
same request again with the same key and get the first response back, with
nothing saved twice. Only successful responses are kept: a refused request
saved nothing, so retrying it (corrected or not) under the same key is safe.
The key is claimed inside the same transaction as the work, so the record
and what it describes commit or vanish together; a concurrent duplicate
blocks on the unique constraint, then replays the winner's response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from pydantic_core import to_jsonable_python

from surgewatch.web.accounts.models import User
from surgewatch.web.api.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


class KeyReusedError(Exception):
    """The key was used before for a different request."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"Idempotency-Key '{key}' was already used for a different request; "
            "fix: use a new key for a new request"
        )


class KeyInUseError(Exception):
    """Requests with this key keep colliding; the client should retry later (409)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key '{key}' is in use by another request; fix: retry")


class _KeyTakenError(Exception):
    """Another request claimed the key first (raised to roll our own work back)."""


@dataclass(frozen=True)
class Outcome:
    """A response as the view will send it: status and a JSON-serialisable body."""

    status: int
    body: Any
    replayed: bool = False


def request_digest(method: str, path: str, body: bytes) -> str:
    """What a key is bound to: the same body sent to another endpoint is another request."""
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()


def run_once(
    user: User,
    key: str,
    digest: str,
    work: Callable[[], Outcome],
    *,
    now: datetime,
    retry: bool = True,
) -> Outcome:
    """Run ``work`` once per (user, key); later calls replay the stored outcome.

    ``work`` raises to refuse a request; its writes and the key's claim are
    then rolled back together.
    """
    stored = _stored(user, key)
    if stored is not None:
        return _replay(stored, key, digest)
    try:
        with transaction.atomic():
            claim = _claim(user, key, digest, now)
            outcome = work()
            claim.response_status, claim.response_body = outcome.status, _json(outcome.body)
            claim.save(update_fields=["response_status", "response_body"])
            return outcome
    except _KeyTakenError:
        winner = _stored(user, key)
        if winner is not None:
            return _replay(winner, key, digest)
        if retry:  # the winner was refused and rolled back, freeing the key: go again
            return run_once(user, key, digest, work, now=now, retry=False)
        raise KeyInUseError(key) from None


def _json(body: Any) -> Any:
    """The stored form: JSON, as it went out."""
    return to_jsonable_python(body)


def _stored(user: User, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, key=key).first()


def _replay(record: IdempotencyRecord, key: str, digest: str) -> Outcome:
    if record.request_sha256 != digest:
        raise KeyReusedError(key)
    return Outcome(record.response_status, record.response_body, replayed=True)


def _claim(user: User, key: str, digest: str, now: datetime) -> IdempotencyRecord:
    """Insert the record first: a concurrent request with the key waits here, then fails."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=user,
                key=key,
                request_sha256=digest,
                response_status=0,
                response_body={},
                created_at=now,
            )
    except IntegrityError:
        raise _KeyTakenError from None
