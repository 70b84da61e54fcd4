"""Forms for casework records. They parse; the services check the rules, so every
problem is named beside its field in the services' words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from surgewatch.web.casework.models import REFERENCE_LENGTH, ReviewKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REFERENCE_HELP = (
    "A pseudonymous reference, such as the Mosaic case number. Never a name or NHS number."
)


def _date(label: str, help_text: str = "", required: bool = False) -> forms.DateField:
    # Not required here: the service names a missing date in its own words.
    return forms.DateField(label=label, help_text=help_text, required=required, widget=DATE_WIDGET)


def _reference() -> forms.CharField:
    return forms.CharField(
        label="Case reference", help_text=REFERENCE_HELP, max_length=REFERENCE_LENGTH,
        required=False,
    )  # fmt: skip


class PlacementForm(forms.Form):
    reference = _reference()
    provider = forms.CharField(label="Provider", max_length=200, required=False)
    provider_email = forms.EmailField(
        label="Provider's email address",
        help_text="The week-8 notice of the end of the disregard period goes here.",
        required=False,
    )
    started_on = _date("Placement started")
    disregard_starts_on = _date(
        "Disregard period started", "Leave blank if it started with the placement."
    )


class CareActForm(forms.Form):
    reference = _reference()
    starts_on = _date("Discharged from hospital on")


class ReviewForm(forms.Form):
    reference = _reference()
    kind = forms.ChoiceField(
        label="What started", choices=[("", "Choose"), *ReviewKind.choices], required=False
    )
    starts_on = _date("Started on")


class CloseForm(forms.Form):
    """The end of a placement, or the day an assessment or review was done."""

    kind = forms.CharField(widget=forms.HiddenInput, required=False)
    record = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = _date("Date")


def attach(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = name if name in form.fields else None
        for problem in errors:
            form.add_error(field, problem)


def cleaned(form: forms.Form, name: str) -> Any:
    return form.cleaned_data.get(name) if form.is_valid() else None
