"""Placeholder until bulk import lands (being written now)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def upload(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404("import not built yet")


def preview(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    raise Http404("import not built yet")
