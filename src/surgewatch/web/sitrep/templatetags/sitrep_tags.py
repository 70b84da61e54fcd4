"""Filters for the SitRep's templates: the same words the XLSX and CSV use."""

from __future__ import annotations

from django import template

from surgewatch.web.sitrep import words

register = template.Library()


@register.filter
def status_words(status: str) -> str:
    """Why a cell has no level, in words ('Not monitored (N/A in the plan)')."""
    return words.status_words(status)


@register.filter
def with_unit(value: float | None, unit: str) -> str:
    return words.with_unit(value, unit)
