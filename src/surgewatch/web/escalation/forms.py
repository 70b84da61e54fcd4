"""Forms for escalation pages; the rules behind them are checked in the service."""

from __future__ import annotations

from django import forms

from surgewatch.core.pack import LEVELS

LEVEL_CHOICES = [(level, f"OPEL {level}") for level in LEVELS]


class DeclareForm(forms.Form):
    level = forms.TypedChoiceField(
        label="Level to declare", choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the level you declare differs from the suggested level.",
    )


class BoardFilterForm(forms.Form):
    organisation = forms.ChoiceField(label="Organisation", required=False)
    area = forms.ChoiceField(label="Area", required=False)
    min_level = forms.TypedChoiceField(
        label="Show areas with a cell at",
        required=False,
        coerce=int,
        choices=[(0, "Any level"), *[(lvl, f"OPEL {lvl} or above") for lvl in LEVELS[1:]]],
    )

    overdue_only = forms.BooleanField(
        label="Only areas with late or missing reports", required=False
    )

    def __init__(
        self,
        data: dict[str, str] | None,
        organisations: list[tuple[str, str]],
        areas: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        self._choose("organisation", [("", "All organisations"), *organisations])
        self._choose("area", [("", "All areas"), *areas])

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_min_level(self) -> int:
        return int(self.cleaned_data.get("min_level") or 0)
