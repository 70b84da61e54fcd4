"""Template filters for the simulation pages: figures as ``surgewatch simulate`` prints them."""

from __future__ import annotations

from django import template

register = template.Library()
NONE = "\u2013"  # an en dash, as the tables print a missing figure
# A pack's default colours (surgewatch.core.pack.Pack.colours; DESIGN.md 'Band semantics').
COLOUR_NAMES = {0: "grey", 1: "green", 2: "amber", 3: "red", 4: "black"}


@register.filter
def flow_number(value: float | None) -> str:
    """``1,234.57``: two places, as the CLI's summary table; a dash where there is none."""
    return NONE if value is None else f"{float(value):,.2f}"


@register.filter
def flow_interval(estimate: dict[str, float | None]) -> str:
    """``1.20 to 3.40``: a 95% interval, or a dash (one replication has none)."""
    low, high = estimate.get("low"), estimate.get("high")
    if low is None or high is None:
        return NONE
    return f"{low:,.2f} to {high:,.2f}"


@register.filter
def share(value: float) -> str:
    """A share of replications as a whole percentage: ``0.35`` -> ``35%``."""
    return f"{float(value):.0%}"


@register.filter
def colour_name(level: int) -> str:
    """The level's colour in words (DESIGN.md: 1 green, 2 amber, 3 red, 4 black)."""
    return COLOUR_NAMES.get(int(level), COLOUR_NAMES[0])
