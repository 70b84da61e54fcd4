"""Forms for the wash-up board. They parse; the services check (the same rules for a
form, a script or a crafted post)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from surgewatch.web.decisions.forms import LocalDateTimeField
from surgewatch.web.orgs.models import Area
from surgewatch.web.washup.data import attribution_choices, blocker_choices, outcome_choices
from surgewatch.web.washup.services import CaseFields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHOOSE = ("", "Choose")
# Fields of the case form that are not the case's own values.
NOT_CASE_FIELDS = ("area", "note")
# The weekly improvement cycle looks at a week by default (seed 003).
DEFAULT_PERIOD_DAYS = 7


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, help_text=help_text)


def _text(label: str, help_text: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CaseForm(forms.Form):
    """Seed 003, Wash-up board: the columns of the board and what SWIFT is given on discharge."""

    area = forms.ChoiceField(label="Area")
    reference = forms.CharField(
        label="Patient reference",
        max_length=32,
        help_text="A pseudonymous reference such as the SWIFT ID. Never the patient's name.",
    )
    hospital = forms.CharField(label="Hospital", max_length=120)
    ward = forms.CharField(label="Ward", max_length=80)
    ideal_outcome = forms.ChoiceField(label="Ideal outcome")
    expected_outcome = forms.ChoiceField(label="Expected outcome")
    blocker = forms.ChoiceField(label="Blocker reason")
    blocker_detail = _text(
        "Blocker detail", "Required for 'Other'; optional otherwise.", required=False
    )
    action = _text("Action")
    action_owner = forms.CharField(label="Action owner", max_length=120)
    action_deadline = _date("Action deadline")
    action_done_on = _date("Action done on", required=False)
    review_date = _date("Review date")
    fit_for_discharge_on = _date(
        "Fit for discharge on",
        required=False,
        help_text="The day the person was ready to leave hospital; delayed days count from it.",
    )
    delay_attribution = forms.ChoiceField(label="Delay attributable to", required=False)
    discharge_date = _date(
        "Discharge date", required=False, help_text="With the actual outcome, closes the case."
    )
    actual_outcome = forms.ChoiceField(label="Actual outcome", required=False)
    # Not a case field: kept with the revision this save makes (its history).
    note = _text(
        "What changed (optional)",
        "A line for the case history, such as 'Reviewed at wash-up: blocker cleared'.",
        required=False,
    )

    def __init__(self, areas: list[Area], data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        self._choices("area", [(str(a.pk), a.name) for a in areas])
        for name in ("ideal_outcome", "expected_outcome"):
            self._choices(name, [CHOOSE, *outcome_choices()])
        self._choices("actual_outcome", [("", "Not yet discharged"), *outcome_choices()])
        self._choices("blocker", [CHOOSE, *blocker_choices()])
        self._choices("delay_attribution", [("", "No delay recorded"), *attribution_choices()])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def chosen_area(self) -> Area:
        return self.areas[self.cleaned_data["area"]]

    def case_fields(self) -> CaseFields:
        names = [n for n in self.fields if n not in NOT_CASE_FIELDS]
        values = {n: self.cleaned_data[n] for n in names}
        for name in ("reference", "hospital", "ward", "action_owner"):
            values[name] = values[name].strip()
        return CaseFields(**values)

    def revision_note(self) -> str:
        note: str = self.cleaned_data["note"]
        return note.strip()


class PeriodForm(forms.Form):
    """The period the weekly improvement cycle looks back over (GET)."""

    start = _date("From")
    end = _date("To")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "is before the start; fix: choose a later day")
        if start and end and (end - start).days > 366:
            self.add_error("start", "is more than a year before the end; fix: a shorter period")
        return cleaned


def period_form(query: Any, today: date) -> tuple[PeriodForm, date, date]:
    """The form, and the period to show: the one asked for when valid, else the last week."""
    default = {"start": today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), "end": today}
    form = PeriodForm(query if "start" in query else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


class EscalateForm(forms.Form):
    """Seed 003: 'escalated to area management team' from the weekly improvement cycle."""

    area = forms.ChoiceField(label="Area")
    blocker = forms.ChoiceField(label="Blocker")
    note = _text("What the area management team is asked to do")
    due_at = LocalDateTimeField(label="Due (UK time)")
    start = forms.DateField(widget=forms.HiddenInput)
    end = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, areas: list[Area], data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        area_field, blocker_field = self.fields["area"], self.fields["blocker"]
        assert isinstance(area_field, forms.ChoiceField)
        assert isinstance(blocker_field, forms.ChoiceField)
        area_field.choices = [CHOOSE, *[(str(a.pk), a.name) for a in areas]]
        blocker_field.choices = [CHOOSE, *blocker_choices()]


class PopulationForm(forms.Form):
    """Area populations for 'per 100,000' (the packs hold none; the user gives them)."""

    def __init__(self, areas: list[Area], data: Any = None) -> None:
        super().__init__(data)
        self.areas = areas
        for area in areas:
            self.fields[f"population_{area.slug}"] = forms.IntegerField(
                label=f"Population of {area.name}",
                required=False,
                min_value=1,
                max_value=100_000_000,
            )

    def populations(self) -> dict[str, int | None]:
        """Per area slug; None where none was given or it was refused."""
        clean = getattr(self, "cleaned_data", {})
        return {a.slug: clean.get(f"population_{a.slug}") for a in self.areas}
