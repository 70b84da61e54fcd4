"""Template filters shared by every page."""

from __future__ import annotations

from datetime import datetime

from django import forms, template
from django.utils import timezone

register = template.Library()

NO_VALUE = "\N{EN DASH}"  # what the NHS design system shows for an empty cell


@register.filter
def field_label(form: forms.BaseForm, name: str) -> str:
    """The label a form shows for ``name``, so error summaries use the same words."""
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name.replace("_", " ")


@register.filter
def local(moment: datetime | None) -> str:
    """A stored UTC time as UK wall-clock time, with the zone named."""
    if moment is None:
        return NO_VALUE
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M %Z")


@register.filter
def age(moment: datetime | None) -> str:
    """How long ago, briefly: '35 min', '5 h', '3 days'."""
    if moment is None:
        return "never"
    minutes = int((timezone.now() - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


@register.filter
def number(value: float | None) -> str:
    """A reading as people write it: 12, not 12.0; 7.5 stays 7.5."""
    if value is None:
        return NO_VALUE
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)


@register.filter
def clock(moment: datetime | None) -> str:
    """A deadline as UK wall-clock time: '10:30', with the day when it is not today."""
    if moment is None:
        return NO_VALUE
    local_moment = timezone.localtime(moment)
    if local_moment.date() == timezone.localdate():
        return local_moment.strftime("%H:%M")
    return local_moment.strftime("%H:%M on %a %d %b")


CELL_STATUS_WORDS = {
    "no_thresholds": "No thresholds",
    "report_only": "Recorded only",
    "not_monitored": "Not monitored",
}


@register.filter
def cell_status_words(status: str) -> str:
    """A cell without a level, in words: why it has none."""
    return CELL_STATUS_WORDS.get(status, status.replace("_", " ").capitalize())
