"""Template filters for plan pages: figures written as ``surgewatch plan`` prints them."""

from __future__ import annotations

from decimal import Decimal

from django import template

from surgewatch.planning.months import label
from surgewatch.planning.tables import gbp, plain

register = template.Library()


@register.filter
def money(value: Decimal, currency: str = "GBP") -> str:
    """``GBP 310,800`` (pence only when there are any)."""
    return gbp(Decimal(value), currency)


@register.filter
def figure(value: float) -> str:
    """``21`` / ``16.7``: whole numbers without decimals, others to one place."""
    return plain(float(value))


@register.filter
def percent(value: float) -> str:
    """A probability as a percentage to one place: ``0.123`` -> ``12.3%``."""
    return f"{float(value) * 100:.1f}%"


@register.filter
def month_label(month: str) -> str:
    """``2024-10`` -> ``Oct-24``, as seed 002 heads its bed table."""
    return label(month)
