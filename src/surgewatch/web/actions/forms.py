"""Forms for action cards; the rules behind them are checked in the services."""

from __future__ import annotations

from django import forms

from surgewatch.web.actions.models import CardStatus
from surgewatch.web.actions.selectors import ORGANISATION_WIDE

STATUS_FILTER = [
    ("active", "Open and acknowledged"),
    (CardStatus.DONE, "Done"),
    (CardStatus.NOT_APPLICABLE, "Not applicable"),
    (CardStatus.STOOD_DOWN, "Stood down"),
]


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea
    )


class NotApplicableForm(forms.Form):
    reason = forms.CharField(
        label="Why this action does not apply",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why this action does not apply"},
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to")

    def __init__(self, holders: list[tuple[str, str]], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignee"].choices = holders  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    pressure_remains = forms.TypedChoiceField(
        label="Does the pressure remain?",
        choices=[
            ("yes", "Yes: repeat the steps and review again"),
            ("no", "No: stop the protocol"),
        ],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the pressure remains"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class StopForm(forms.Form):
    reason = forms.CharField(
        label="Why the protocol stops",
        max_length=2000,
        error_messages={"required": "Enter why the protocol stops"},
    )


class StatusFilterForm(forms.Form):
    """Actions by role: which statuses, and where (an area, the organisation, or all)."""

    status = forms.ChoiceField(label="Show", choices=STATUS_FILTER, required=False)
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, data: object = None, *, areas: list[tuple[str, str]] | None = None) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        where = [("", "All areas and organisation-wide"), (ORGANISATION_WIDE, "Organisation-wide")]
        self.fields["area"].choices = [*where, *(areas or [])]  # type: ignore[attr-defined]
