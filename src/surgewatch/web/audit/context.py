"""Who is acting: a context variable set by the request middleware, the API's
token check, the task queue's hooks and the command line.

Imports no Django at module level, so ``surgewatch.cli`` can name its command
before Django is set up. The acting person is resolved only when something is
written, so a read-only request costs nothing here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest

# Labels a task or command may act under (issue 8: 'system:<task name>' or
# 'command:<name>'); people and tokens are named by their request instead.
NAMED_ACTOR_PREFIXES = ("system:", "command:")
# Written when nothing set an actor: a Django shell or a test calling a service.
UNKNOWN = "unknown"
ANONYMOUS = "anonymous"
_TOKEN_ATTRIBUTE = "_audit_token_sha256"


@dataclass(frozen=True)
class Who:
    """The acting person or process as stored on an entry."""

    label: str
    user_id: int | None = None
    token_id: int | None = None
    method: str = ""
    path: str = ""


class Actor(Protocol):
    def resolve(self) -> Who: ...


@dataclass(frozen=True)
class NamedActor:
    label: str

    def resolve(self) -> Who:
        return Who(self.label)


class RequestActor:
    """The signed-in user of a request, or the user of the API token it presented.

    Resolved at the moment of writing, not when the request arrives: login
    sets ``request.user`` part way through, and the token is read after the
    middleware has run.
    """

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._token_who: Who | None = None  # looked up once per request

    def resolve(self) -> Who:
        # PostgreSQL text cannot hold NUL, and a probe's path may carry one: keep it visible.
        method, path = self.request.method or "", self.request.path[:500].replace("\x00", "\\x00")
        token = getattr(self.request, _TOKEN_ATTRIBUTE, None)
        if token is not None:
            if self._token_who is None:
                self._token_who = _token_who(token, method, path)
            return self._token_who
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return Who(ANONYMOUS, method=method, path=path)
        return Who(user.get_username(), user.pk, method=method, path=path)


_actor: ContextVar[Actor | None] = ContextVar("surgewatch_audit_actor", default=None)


def current() -> Who:
    """Who is acting now; ``unknown`` when no request, task or command said."""
    actor = _actor.get()
    return actor.resolve() if actor is not None else Who(UNKNOWN)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Attribute every write inside the block to a task or command.

    ``label`` is ``system:<task name>`` or ``command:<name>``; anything else
    is refused, so a typo cannot pass for a person.
    """
    reset = _actor.set(NamedActor(_checked(label)))
    try:
        yield
    finally:
        _actor.reset(reset)


def _checked(label: str) -> str:
    if not label.startswith(NAMED_ACTOR_PREFIXES) or label in NAMED_ACTOR_PREFIXES:
        raise ValueError(
            f"audit actor {label!r} is not a task or command; "
            "fix: name it 'system:<task name>' or 'command:<name>'"
        )
    return label


def begin(actor: Actor) -> Token[Actor | None]:
    """Start acting as ``actor`` until :func:`end` (for hooks that cannot use ``with``)."""
    return _actor.set(actor)


def end(reset: Token[Actor | None]) -> None:
    _actor.reset(reset)


def acting_with_token(request: HttpRequest, plaintext: str) -> None:
    """The API's hook: writes in this request belong to the token presented.

    Only the token's hash is kept. The request is bound here too, since the
    API can be called without the middleware (django-ninja's test client).
    """
    setattr(request, _TOKEN_ATTRIBUTE, hashlib.sha256(plaintext.encode("utf-8")).hexdigest())
    actor = _actor.get()
    if not (isinstance(actor, RequestActor) and actor.request is request):
        _actor.set(RequestActor(request))


# A busy feed posts many times a minute with one token; naming it costs a query,
# so who a token is stays known for a minute (a renamed token shows its new name
# within that).
TOKEN_CACHE_SECONDS = 60.0
_token_cache: dict[str, tuple[float, Who]] = {}


def _token_who(sha256: str, method: str, path: str) -> Who:
    cached = _token_cache.get(sha256)
    if cached is None or time.monotonic() - cached[0] > TOKEN_CACHE_SECONDS:
        cached = (time.monotonic(), _look_up_token(sha256))
        _token_cache[sha256] = cached
    who = cached[1]
    return Who(who.label, who.user_id, who.token_id, method, path)


def _look_up_token(sha256: str) -> Who:
    from surgewatch.web.api.models import ApiToken  # Django is set up once a request runs

    token = ApiToken.objects.select_related("user").filter(key_sha256=sha256).first()
    if token is None:  # a token that matches nothing cannot write; named for completeness
        return Who("token:unknown")
    return Who(
        f"{token.user.get_username()} (token {token.pk} '{token.name}')", token.user_id, token.pk
    )
