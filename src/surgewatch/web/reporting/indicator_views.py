"""Placeholder until the indicator page lands (being written now)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def indicator(request: HttpRequest, slug: str, area_slug: str, indicator: str) -> HttpResponse:
    raise Http404("indicator page not built yet")
