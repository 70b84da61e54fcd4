"""Forms for self-assessments and action plans. They parse; the services check the rules.

The assessment form has, for every criterion of the framework, a choice of level
(or 'not assessed') and the evidence for it, grouped by change for the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

from surgewatch.improvement.frameworks import Criterion, Framework, Group
from surgewatch.web.accounts.models import User
from surgewatch.web.calls.selectors import person_choices
from surgewatch.web.improve.models import TEXT_LIMIT, ActionStatus, Rating
from surgewatch.web.improve.services import (
    ActionInput,
    AssessmentInput,
    Given,
    evidence_field,
    level_field,
)
from surgewatch.web.orgs.models import Area, Organisation

NOT_ASSESSED = ""
WHOLE = ""


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    # Not required here: the service names empty answers in its own words, in the same
    # pass as every other problem, so the page lists them all at once.
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def area_choices(organisation: Organisation) -> list[tuple[str, str]]:
    areas = organisation.areas.filter(active=True).order_by("name")
    return [(WHOLE, f"The whole of {organisation.name}"), *((a.slug, a.name) for a in areas)]


def area_from(organisation: Organisation, slug: str) -> Area | None:
    return organisation.areas.filter(slug=slug).first() if slug else None


class ScopeForm(forms.Form):
    """Which assessments a results page shows: the whole organisation or one area."""

    area = forms.ChoiceField(label="Assessed for", required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        _choices(self, "area", area_choices(organisation))

    def chosen_area(self) -> Area | None:
        if not self.is_bound or not self.is_valid():
            return None
        return area_from(self.organisation, self.cleaned_data["area"])


@dataclass(frozen=True)
class Option:
    """One radio: its value, the level's name and what the level looks like (the hint)."""

    value: str
    name: str
    hint: str


@dataclass(frozen=True)
class CriterionFields:
    criterion: Criterion
    level: forms.BoundField
    evidence: forms.BoundField
    options: list[Option]

    @property
    def chosen(self) -> str:
        value = self.level.value()
        return "" if value is None else str(value)


class AssessmentForm(forms.Form):
    area = forms.ChoiceField(label="Assessed for", required=False)
    assessed_on = forms.DateField(
        label="Date of the assessment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assessors = _text(
        "Who took part",
        "Names and roles, for example 'Sam Patel (Short-Term Pathway Service Manager)'.",
    )
    notes = _text("Notes (optional)")

    def __init__(
        self, *args: Any, organisation: Organisation, framework: Framework, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation, self.framework = organisation, framework
        _choices(self, "area", area_choices(organisation))
        choices = [(NOT_ASSESSED, "Not assessed this time")] + [
            (str(level.value), level.name) for level in framework.scale.levels
        ]
        for _, criterion in framework.all_criteria():
            self.fields[level_field(criterion.id)] = forms.ChoiceField(
                label=criterion.label, choices=choices, required=False
            )
            self.fields[evidence_field(criterion.id)] = _text(
                f"Evidence: {criterion.label}", "What shows this level: data, audits, cases."
            )

    def sections(self) -> list[tuple[Group, list[CriterionFields]]]:
        """The criteria fields grouped as the framework groups them, for the page."""
        return [
            (
                group,
                [
                    CriterionFields(
                        c, self[level_field(c.id)], self[evidence_field(c.id)], self._options(c)
                    )
                    for c in group.criteria
                ],
            )
            for group in self.framework.groups
        ]

    def _options(self, criterion: Criterion) -> list[Option]:
        """Seed 003: the text of each maturity level; seed 004: what red, amber, green mean."""
        options = [
            Option(str(level.value), level.name, criterion.levels.get(level.id, level.meaning))
            for level in self.framework.scale.levels
        ]
        return [*options, Option(NOT_ASSESSED, "Not assessed this time", "")]

    def assessment_input(self) -> AssessmentInput:
        """What was given; after a failed ``is_valid`` only the fields that parsed, so the
        service can still name every other problem in the same pass."""
        data = self.cleaned_data
        ratings = {
            c.id: Given(int(data[level_field(c.id)]), data.get(evidence_field(c.id), ""))
            for _, c in self.framework.all_criteria()
            if data.get(level_field(c.id))
        }
        return AssessmentInput(
            area=area_from(self.organisation, data.get("area", "")),
            assessed_on=data.get("assessed_on"),
            assessors=data.get("assessors", ""),
            notes=data.get("notes", ""),
            ratings=ratings,
        )


def assessment_initial(ratings: Mapping[str, Rating], area: Area | None) -> dict[str, object]:
    """Start from the last assessment of the scope: people change what moved."""
    initial: dict[str, object] = {"area": area.slug if area else WHOLE}
    for criterion_id, rating in ratings.items():
        initial[level_field(criterion_id)] = str(rating.level)
        initial[evidence_field(criterion_id)] = rating.evidence
    return initial


class ActionForm(forms.Form):
    """A row of seed 003's action planning template, with an owner."""

    group_id = forms.ChoiceField(label="Impact change")
    area = forms.ChoiceField(label="For", required=False)
    where_now = _text("Where are you now?")
    what_to_do = _text("What do you need to do?")
    due_on = forms.DateField(
        label="When will it be done by?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    success_measure = _text("How will you know it has been successful?")
    owner = forms.ChoiceField(label="Owner")

    def __init__(
        self, *args: Any, organisation: Organisation, framework: Framework, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        template = framework.action_plan
        self.fields["group_id"].label = framework.group_label.capitalize()
        _choices(self, "group_id", [(g.id, f"{g.number}. {g.title}") for g in framework.groups])
        _choices(self, "area", area_choices(organisation))
        for name in ("where_now", "what_to_do", "due_on", "success_measure"):
            self.fields[name].label = getattr(template, name)
        _choices(self, "owner", [("", "Choose the owner"), *person_choices(organisation)])

    def action_input(self) -> ActionInput:
        """What was given (after a failed ``is_valid``, the fields that parsed)."""
        data = self.cleaned_data
        owner = data.get("owner", "")
        return ActionInput(
            group_id=data.get("group_id", ""),
            area=area_from(self.organisation, data.get("area", "")),
            where_now=data.get("where_now", ""),
            what_to_do=data.get("what_to_do", ""),
            due_on=data.get("due_on"),
            success_measure=data.get("success_measure", ""),
            owner=User.objects.filter(pk=int(owner)).first() if owner else None,
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
