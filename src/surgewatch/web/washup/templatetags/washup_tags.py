"""Template filters for the wash-up board."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def name_of(names: dict[str, str], key: str) -> str:
    """The display name of an outcome, blocker or attribution id (the id if retired)."""
    return names.get(key, key) if key else ""


@register.filter
def percent(share: float) -> int:
    return round(share * 100)


@register.filter
def thousands(number: int) -> str:
    """100000 -> '100,000'."""
    return f"{number:,}"
