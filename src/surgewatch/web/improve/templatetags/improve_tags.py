"""Template filters for the self-assessment pages."""

from __future__ import annotations

from datetime import date

from django import template

from surgewatch.improvement.frameworks import Framework
from surgewatch.web.improve.models import ImprovementAction

register = template.Library()


@register.filter
def kind_name(framework: Framework, kind: str) -> str:
    """Seed 004's name for a kind of organisation: 'icb' -> 'Integrated care boards'."""
    return framework.kind_name(kind)


@register.filter
def overdue_on(action: ImprovementAction, today: date) -> bool:
    return action.is_overdue(today)
