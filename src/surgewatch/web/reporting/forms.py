"""Forms for reporting. Field limits mirror the pack; the service re-checks everything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from surgewatch.core.pack import Indicator
from surgewatch.web.reporting.models import Reading

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ObservedAtField(forms.DateTimeField):
    """A UK wall-clock time from a datetime-local input, stored as UTC by Django."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"], **kwargs)


class ReportForm(forms.Form):
    """One number field per indicator the user reports, plus the time they describe."""

    observed_at = ObservedAtField(
        label="Time these values describe (UK time)",
        help_text="Usually now. Use an earlier time only for a report you missed.",
    )

    def __init__(
        self,
        indicators: list[Indicator],
        last: dict[str, Reading],
        data: dict[str, str] | None = None,
        now: datetime | None = None,
    ) -> None:
        now = timezone.localtime(now or timezone.now()).replace(second=0, microsecond=0)
        super().__init__(data, initial={"observed_at": now.strftime(LOCAL_INPUT)})
        for indicator in indicators:
            self.fields[indicator.id] = _value_field(indicator, last.get(indicator.id))

    def values(self) -> dict[str, float]:
        """The indicators given a value; blank ones are not reported this time."""
        skip = {"observed_at"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip and v is not None}


def _value_field(indicator: Indicator, last: Reading | None) -> forms.FloatField:
    low, high = indicator.valid_range.min, indicator.valid_range.max
    return forms.FloatField(
        label=f"{indicator.name} ({indicator.unit})",
        required=False,
        min_value=low,
        max_value=high,
        help_text=_hint(low, high, last),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )


def _hint(low: float | None, high: float | None, last: Reading | None) -> str:
    parts = []
    if last is not None:
        when = timezone.localtime(last.observed_at).strftime("%d %b %H:%M")
        parts.append(f"Last reported {last.value:g} for {when}.")
    if low is not None or high is not None:
        parts.append(f"Valid range {_bound(low, 'no minimum')} to {_bound(high, 'no maximum')}.")
    return " ".join(parts)


def _bound(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:g}"


class ConfirmForm(forms.Form):
    observed_at = ObservedAtField(label="Time the values still describe (UK time)")


class AmendForm(forms.Form):
    value = forms.FloatField(
        label="Corrected value", widget=forms.NumberInput(attrs={"step": "any"})
    )
    reason = forms.CharField(
        label="Why the value changes",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: typed 47 instead of 74. The original stays on record.",
    )
