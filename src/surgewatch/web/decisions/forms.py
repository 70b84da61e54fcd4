"""Forms for the decision log and group meetings. They parse; the services check the rules.

Times are typed as UK wall-clock (Europe/London) and stored in UTC by Django;
a time that does not exist or is ambiguous at a clock change is refused with
Django's own message beside the field.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from surgewatch.core.pack import LEVELS, Group
from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.checks import AgreedAction, Attendee
from surgewatch.web.decisions.models import Decision, Meeting

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
TEXT_LIMIT = 4000
ROLE_LIST_ID = "sw-roles"
# Blank rows offered below the filled ones: more than a meeting usually needs.
SPARE_ATTENDEE_ROWS = 4
SPARE_ACTION_ROWS = 3
MIN_ACTION_ROWS = 5
# A bound on rows, so a crafted post cannot make a form of a million fields.
MAX_ROWS = 60


def local_input(moment: datetime | None) -> str:
    """A stored time as a datetime-local input shows it, in UK time."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime(LOCAL_INPUT)


class LocalDateTimeField(forms.DateTimeField):
    """A UK wall-clock time from a datetime-local input."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"], **kwargs)


def _text(label: str, help_text: str = "") -> forms.CharField:
    # Not required here: the service names an empty text in its own words, in
    # the same pass as every other problem, so the page lists them all at once.
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _line(label: str, help_text: str = "", attrs: dict[str, str] | None = None) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=attrs or {}),
    )


class DecisionForm(forms.Form):
    """Seed 000, Appendix 4: the decision, its risk, how the risk was identified and measured."""

    decision = _text("What was decided")
    risk = _text(
        "The risk it mitigates",
        "Include risks you anticipate as well as those already present.",
    )
    identified_by = _text(
        "How the risk was identified",
        "For example: the indicators, a team's report, a provider's call.",
    )
    measured_by = _text(
        "How the risk was measured",
        "How its potential for harm was judged: figures, thresholds, who was consulted.",
    )
    external_factors = _text(
        "External factors considered (optional)",
        "Decisions by other providers or neighbouring systems, regional functions, "
        "anything else affecting the urgent and emergency care pathway.",
    )
    decided_by = forms.CharField(label="Who decided (name and role)", required=False)
    decided_at = LocalDateTimeField(label="When it was decided (UK time)")
    review_at = LocalDateTimeField(
        label="When to review it (UK time)", help_text="Must be after the decision."
    )
    decider = forms.ChoiceField(
        label="Who reviews it",
        required=False,
        help_text=(
            "The person who decided. The review goes to their My actions, with a "
            "reminder if the review time passes."
        ),
    )

    def __init__(
        self,
        data: Any = None,
        initial: dict[str, Any] | None = None,
        *,
        people: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        field = self.fields["decider"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Me (the person recording it)"), *(people or [])]

    def decision_fields(self) -> dict[str, Any]:
        """The cleaned values as ``record_decision`` takes them; ``decider`` a person or None."""
        names = [n for n in DecisionForm.base_fields if n in self.cleaned_data]
        values = {n: self.cleaned_data[n] for n in names}
        chosen = values.pop("decider", "")
        values["decider"] = User.objects.filter(pk=chosen).first() if chosen else None
        return values


class ReviewForm(forms.Form):
    """Seed 000, Appendix 4: the follow-up review of a decision, done."""

    outcome = _text(
        "What the review found and decided",
        "For example: the risk has eased, the decision stands down; or it continues, "
        "with a new decision recorded for the next review.",
    )
    reviewed_at = LocalDateTimeField(label="When it was reviewed (UK time)")


class CorrectionForm(DecisionForm):
    correction_reason = _text(
        "Why you are correcting it",
        "For example: the review time was typed wrong. The original stays on record.",
    )


def decision_initial(decision: Decision) -> dict[str, str]:
    """A form's starting values from an entry, for correcting it."""
    texts = ["decision", "risk", "identified_by", "measured_by", "external_factors", "decided_by"]
    initial = {n: getattr(decision, n) for n in texts}
    return {
        **initial,
        "decided_at": local_input(decision.decided_at),
        "review_at": local_input(decision.review_at),
        "decider": str(decision.decider_id or ""),
    }


class LogFilterForm(forms.Form):
    start = forms.DateField(
        label="From (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="To (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

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


def _none_or_level(value: str) -> int | None:
    return None if value == "none" else int(value)


class MeetingForm(forms.Form):
    """Seed 000, section 5.2: a meeting of the group, numbered rows for attendees and actions."""

    group_id = forms.ChoiceField(label="Group")
    convened_at = LocalDateTimeField(label="When the group convened (UK time)")
    convened_by = forms.CharField(label="Who convened it (name and role)", required=False)
    chair = forms.CharField(label="Chair (name)", required=False)
    chair_role = forms.CharField(
        label="Chair's role",
        required=False,
        widget=forms.TextInput(attrs={"list": ROLE_LIST_ID, "autocomplete": "off"}),
    )
    position = _text("Current position considered (optional)")
    support_required = _text("Support required from other agencies (optional)")
    agreed_level = forms.TypedChoiceField(
        label="Status change agreed",
        choices=[("none", "No status change"), *[(str(lv), f"OPEL {lv}") for lv in LEVELS]],
        coerce=_none_or_level,
        initial="none",
        widget=forms.RadioSelect,
    )
    agreed_level_reason = _text(
        "Why the group agreed this status change",
        "Required when the group agreed a level.",
    )

    def __init__(
        self,
        groups: list[Group],
        data: Any = None,
        initial: dict[str, Any] | None = None,
        *,
        people: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        field = self.fields["group_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(g.id, g.name) for g in groups]
        # Who may own an agreed action: people holding a role here (value: user id).
        self.people = people or []
        source = data if data is not None else (initial or {})
        self.attendee_count = _rows(source, "attendee", "name", SPARE_ATTENDEE_ROWS, 0)
        self.action_count = _rows(source, "action", "text", SPARE_ACTION_ROWS, MIN_ACTION_ROWS)
        for row in range(1, self.attendee_count + 1):
            self._add_attendee_row(row)
        for row in range(1, self.action_count + 1):
            self._add_action_row(row)

    def _add_attendee_row(self, row: int) -> None:
        self.fields[f"attendee_{row}_name"] = _line(f"Attendee {row} name")
        self.fields[f"attendee_{row}_role"] = _line(
            f"Attendee {row} role", attrs={"list": ROLE_LIST_ID, "autocomplete": "off"}
        )

    def _add_action_row(self, row: int) -> None:
        self.fields[f"action_{row}_text"] = _line(f"Action {row}: what is to be done")
        owner = forms.ChoiceField(label=f"Action {row}: owner", required=False)
        owner.choices = [("", "Choose the owner"), *self.people]
        self.fields[f"action_{row}_owner"] = owner
        self.fields[f"action_{row}_due_at"] = LocalDateTimeField(
            label=f"Action {row}: due (UK time)", required=False
        )

    def attendee_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        n = range(1, self.attendee_count + 1)
        return [(self[f"attendee_{r}_name"], self[f"attendee_{r}_role"]) for r in n]

    def action_rows(self) -> list[tuple[forms.BoundField, ...]]:
        fields = ("text", "owner", "due_at")
        return [
            tuple(self[f"action_{r}_{f}"] for f in fields) for r in range(1, self.action_count + 1)
        ]

    def attendees(self) -> list[Attendee]:
        """Rows with a name; a role offered without a name means nobody came in that role."""
        data = self.cleaned_data
        return [
            Attendee(data[f"attendee_{r}_name"], data[f"attendee_{r}_role"], row=r)
            for r in range(1, self.attendee_count + 1)
            if data.get(f"attendee_{r}_name", "").strip()
        ]

    def actions(self) -> list[AgreedAction]:
        """Rows with anything in them; the service names what a partial row lacks.

        The owner is a person chosen from the list; the record names them as the
        list does ('Jo Bloggs (Role)'), and the card goes to them.
        """
        data = self.cleaned_data
        chosen = {data.get(f"action_{r}_owner", "") for r in range(1, self.action_count + 1)}
        users = {str(u.pk): u for u in User.objects.filter(pk__in=[c for c in chosen if c])}
        labels = dict(self.people)
        rows = []
        for r in range(1, self.action_count + 1):
            text, owner = data.get(f"action_{r}_text", ""), data.get(f"action_{r}_owner", "")
            due = data.get(f"action_{r}_due_at")
            if text.strip() or owner or due is not None:
                person = users.get(owner)
                name = labels.get(owner, "") if person else ""
                rows.append(AgreedAction(text, name, due, row=r, owner_user=person))
        return rows

    def meeting_fields(self) -> dict[str, Any]:
        """The cleaned values as ``record_meeting`` takes them."""
        names = [n for n in MeetingForm.base_fields if n in self.cleaned_data]
        values = {n: self.cleaned_data[n] for n in names}
        return {**values, "attendees": self.attendees(), "actions": self.actions()}


class MeetingCorrectionForm(MeetingForm):
    correction_reason = _text(
        "Why you are correcting it",
        "For example: an attendee was left out. The original stays on record.",
    )


def _rows(source: Any, kind: str, field: str, spare: int, minimum: int) -> int:
    """Rows to show: every row the data fills (or posts), plus spare blank ones."""
    numbered = [k for k in source if k.startswith(f"{kind}_") and k.endswith(f"_{field}")]
    used = max((int(k.split("_")[1]) for k in numbered if k.split("_")[1].isdigit()), default=0)
    if hasattr(source, "getlist"):
        # A posted form shows exactly the rows it was sent, so errors stay beside them.
        return min(max(used, 1), MAX_ROWS)
    return min(max(used + spare, minimum), MAX_ROWS)


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    """A form's starting values from a meeting, rows included, for correcting it."""
    names = ["group_id", "convened_by", "chair", "chair_role", "position", "support_required"]
    initial: dict[str, Any] = {n: getattr(meeting, n) for n in names}
    initial["convened_at"] = local_input(meeting.convened_at)
    initial["agreed_level"] = str(meeting.agreed_level or "none")
    initial["agreed_level_reason"] = meeting.agreed_level_reason
    for a in meeting.attendees.all():
        initial |= {f"attendee_{a.position}_name": a.name, f"attendee_{a.position}_role": a.role}
    for act in meeting.actions.all():
        # A row that named only a role or a name (before owners were people) is
        # left for the person correcting it to choose who owns it.
        owner = str(act.owner_user_id) if act.owner_user_id else ""
        initial |= {
            f"action_{act.position}_text": act.text,
            f"action_{act.position}_owner": owner,
            f"action_{act.position}_due_at": local_input(act.due_at),
        }
    return initial


def new_meeting_initial(
    group: Group | None, role_names: dict[str, str], convener: str, now: datetime
) -> dict[str, Any]:
    """Rows pre-filled with the group's member roles (seed 000, 5.2), names left to type."""
    initial: dict[str, Any] = {"convened_at": local_input(now), "convened_by": convener}
    if group is None:
        return initial
    initial |= {"group_id": group.id, "chair_role": role_names.get(group.chair_role, "")}
    for row, role in enumerate(group.member_roles, start=1):
        initial[f"attendee_{row}_role"] = role_names.get(role, role)
        initial[f"attendee_{row}_name"] = ""
    return initial


def attach(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors beside the fields they name; the rest above the form."""
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
