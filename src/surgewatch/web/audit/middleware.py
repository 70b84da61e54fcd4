"""Bind each request to the audit log's acting person (after authentication)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from surgewatch.web.audit import context


class AuditMiddleware:
    """Writes during the request are the signed-in user's, or the API token's.

    Set for every request, anonymous ones too, so a worker thread never
    carries the previous request's person into the next.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reset = context.begin(context.RequestActor(request))
        try:
            return self.get_response(request)
        finally:
            context.end(reset)
