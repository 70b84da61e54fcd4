"""Forms for holding a call and answering for an action. They parse; the services check.

Times are typed as UK wall-clock (Europe/London), as in the decision log.
Rows are numbered fields (``attendee_<n>_*``, ``action_<n>_*``): the form
offers the call's attending roles (seed 000, section 5.1) plus spare rows,
and a posted form shows exactly the rows it was sent, so errors stay beside
them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from surgewatch.core.pack import SystemCall
from surgewatch.web.accounts.models import User
from surgewatch.web.calls.checks import TEXT_LIMIT, AgreedAction, Attendance
from surgewatch.web.decisions.forms import LocalDateTimeField, local_input

PARTNER_LIST_ID = "sw-partners"
SPARE_ATTENDEE_ROWS = 4
SPARE_ACTION_ROWS = 3
# A bound on rows, so a crafted post cannot make a form of a million fields.
MAX_ROWS = 60
YES_NO = (("", "Choose"), ("yes", "Yes"), ("no", "No"))


def _line(label: str, attrs: dict[str, str] | None = None) -> forms.CharField:
    # Not required here: the service names an empty value in its own words,
    # with every other problem, so the page lists them all at once.
    return forms.CharField(
        label=label, required=False, max_length=300, widget=forms.TextInput(attrs=attrs or {})
    )


def _partner(label: str) -> forms.CharField:
    return _line(label, {"list": PARTNER_LIST_ID, "autocomplete": "off"})


class CallForm(forms.Form):
    """Seed 000, section 5.1: who chaired, when, who attended, the actions agreed per partner."""

    held_at = LocalDateTimeField(label="When the call was held (UK time)")
    chair = forms.ChoiceField(label="Chair")
    notes = forms.CharField(
        label="Notes (optional)",
        help_text="Anything else said: risks anticipated, updates for stakeholders.",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, people: list[tuple[str, str]], data: Any = None, initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.people = people
        self._set_choices("chair", [("", "Choose the chair"), *people])
        source = data if data is not None else (initial or {})
        self.attendee_count = _row_count(source, "attendee", "partner", SPARE_ATTENDEE_ROWS)
        self.action_count = _row_count(source, "action", "partner", SPARE_ACTION_ROWS)
        for row in range(1, self.attendee_count + 1):
            self._add_attendee_row(row)
        for row in range(1, self.action_count + 1):
            self._add_action_row(row)

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _add_attendee_row(self, row: int) -> None:
        self.fields[f"attendee_{row}_partner"] = _partner(f"Partner {row}: organisation or team")
        self.fields[f"attendee_{row}_person"] = _line(f"Partner {row}: who attended (name)")
        self.fields[f"attendee_{row}_present"] = forms.ChoiceField(
            label=f"Partner {row}: present", choices=YES_NO, required=False
        )

    def _add_action_row(self, row: int) -> None:
        self.fields[f"action_{row}_partner"] = _partner(f"Action {row}: partner")
        self.fields[f"action_{row}_text"] = _line(f"Action {row}: what is to be done")
        self.fields[f"action_{row}_owner"] = forms.ChoiceField(
            label=f"Action {row}: owner", required=False
        )
        self._set_choices(f"action_{row}_owner", [("", "Choose the owner"), *self.people])
        self.fields[f"action_{row}_due_at"] = LocalDateTimeField(
            label=f"Action {row}: due (UK time)", required=False
        )

    def attendee_rows(self) -> list[tuple[forms.BoundField, ...]]:
        fields = ("partner", "person", "present")
        rows = range(1, self.attendee_count + 1)
        return [tuple(self[f"attendee_{r}_{f}"] for f in fields) for r in rows]

    def action_rows(self) -> list[tuple[forms.BoundField, ...]]:
        fields = ("partner", "text", "owner", "due_at")
        return [
            tuple(self[f"action_{r}_{f}"] for f in fields) for r in range(1, self.action_count + 1)
        ]

    def attendees(self) -> list[Attendance]:
        """Rows with anything in them; the service names what a partial row lacks."""
        return [
            Attendance(d["partner"], d["person"], _yes_no(d["present"]), row=r)
            for r, d in enumerate(self._rows("attendee"), start=1)
            if d["partner"].strip() or d["person"].strip() or d["present"]
        ]

    def actions(self, owners: dict[str, User]) -> list[AgreedAction]:
        """Rows with words, an owner or a due time (a partner alone is only the prompt)."""
        return [
            AgreedAction(d["partner"], d["text"], owners.get(d["owner"]), d["due_at"], row=r)
            for r, d in enumerate(self._rows("action"), start=1)
            if d["text"].strip() or d["owner"] or d["due_at"] is not None
        ]

    def _row(self, kind: str, row: int) -> dict[str, Any]:
        """One row's cleaned values by field: ``{"partner": ..., "text": ...}``."""
        prefix = f"{kind}_{row}_"
        return {
            k.removeprefix(prefix): v for k, v in self.cleaned_data.items() if k.startswith(prefix)
        }

    def call_fields(self) -> dict[str, Any]:
        """The cleaned values as ``record_call`` takes them (call_id comes from the page)."""
        chosen = [self.cleaned_data["chair"], *(d["owner"] for d in self._rows("action"))]
        people = {str(u.pk): u for u in User.objects.filter(pk__in=[p for p in chosen if p])}
        return {
            "held_at": self.cleaned_data["held_at"],
            "chair": people.get(self.cleaned_data["chair"]),
            "notes": self.cleaned_data["notes"],
            "attendees": self.attendees(),
            "actions": self.actions(people),
        }

    def _rows(self, kind: str) -> list[dict[str, Any]]:
        count = self.attendee_count if kind == "attendee" else self.action_count
        return [self._row(kind, r) for r in range(1, count + 1)]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _row_count(source: Any, kind: str, field: str, spare: int) -> int:
    """Rows to show: a posted form's own rows; a new form's filled rows plus spare ones."""
    numbered = [k for k in source if k.startswith(f"{kind}_") and k.endswith(f"_{field}")]
    used = max((int(k.split("_")[1]) for k in numbered if k.split("_")[1].isdigit()), default=0)
    if hasattr(source, "getlist"):
        return min(max(used, 1), MAX_ROWS)
    return min(used + spare, MAX_ROWS)


def new_call_initial(
    call: SystemCall, role_names: dict[str, str], chair: User, now: datetime
) -> dict[str, Any]:
    """Rows pre-filled with the roles the call is attended by (seed 000, 5.1), names to type."""
    initial: dict[str, Any] = {"held_at": local_input(now), "chair": str(chair.pk)}
    for row, role in enumerate(call.attended_by, start=1):
        initial[f"attendee_{row}_partner"] = role_names.get(role, role)
        initial[f"action_{row}_partner"] = role_names.get(role, role)
    return initial


class AnswerForm(forms.Form):
    """Is it done? The owner's answer, with a note; a later answer is a new row."""

    done = forms.ChoiceField(
        label="Is it done?",
        choices=(("yes", "Yes, it is done"), ("no", "No, it is not done")),
        widget=forms.RadioSelect,
        error_messages={"required": "say whether it is done; fix: choose yes or no"},
    )
    note = forms.CharField(
        label="Note",
        help_text="Required when it is not done: why, and what happens next.",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def answer_fields(self) -> dict[str, Any]:
        return {"done": self.cleaned_data["done"] == "yes", "note": self.cleaned_data["note"]}
