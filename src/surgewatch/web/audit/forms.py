"""The audit page's filters: model, who and UK dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from surgewatch.web.audit import capture

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def model_choices() -> list[tuple[str, str]]:
    labels = sorted(m._meta.label_lower for m in capture.audited_models())
    return [("", "Any")] + [(label, label) for label in labels]


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label="Record type", required=False)
    who = forms.CharField(
        label="Who",
        required=False,
        max_length=200,
        help_text="Part of a username, a token's name, 'system:' or 'command:'.",
    )
    start = forms.DateField(label="From (date)", required=False, widget=_DATE)
    end = forms.DateField(label="To (date)", required=False, widget=_DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = model_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", f"{end:%d %b %Y} is before {start:%d %b %Y}; fix: swap them")
        return data

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Whole UK days: from midnight starting ``start`` to midnight ending ``end``."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        since = _local_midnight(start) if start else None
        until = _local_midnight(end + timedelta(days=1)) if end else None
        return since, until


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
