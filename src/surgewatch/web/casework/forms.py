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


class CorrectionForm(forms.Form):
    """New values for a saved record, and why; ``correction_form`` keeps the kind's fields."""

    kind = forms.CharField(widget=forms.HiddenInput, required=False)
    record = forms.IntegerField(widget=forms.HiddenInput, required=False)
    provider = forms.CharField(label="Provider", max_length=200, required=False)
    provider_email = forms.EmailField(label="Provider's email address", required=False)
    started_on = _date("Started on")
    discharged_on = _date("Discharged from hospital on")
    reason = forms.CharField(
        label="Why is this corrected?",
        help_text="Kept with the correction, with your name and the time.",
        widget=forms.Textarea,
        required=False,
    )


def correction_form(
    kind: str, fields: tuple[str, ...], record: object, data: Any = None
) -> CorrectionForm:
    """A correction form for one record: its correctable fields, filled with its values."""
    initial = {name: getattr(record, name) for name in fields}
    form = CorrectionForm(
        data, initial={**initial, "kind": kind, "record": getattr(record, "pk", None)}
    )
    for name in ("provider", "provider_email", "started_on", "discharged_on"):
        if name not in fields:
            del form.fields[name]
    if kind == "placement":
        form.fields["started_on"].label = "Placement started"
    return form


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
