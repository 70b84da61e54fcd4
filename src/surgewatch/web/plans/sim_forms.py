"""Forms for flow scenarios and simulation runs. They parse what was sent; the services and
the flow core check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from surgewatch.web.plans.forms import PlanFileForm
from surgewatch.web.plans.models import PlanVersion, ScenarioVersion
from surgewatch.web.plans.simulations import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    MAX_REPLICATIONS,
    MAX_SEED,
    MIN_REPLICATIONS,
)


class VersionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A stored version named as '<title> v<number>'."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ScenarioFileForm(PlanFileForm):
    """A scenario file pasted or uploaded, with the stored plan and base it refers to."""

    def __init__(
        self,
        *args: Any,
        plans: QuerySet[PlanVersion],
        bases: QuerySet[ScenarioVersion],
        with_title: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, with_title=with_title, **kwargs)
        if with_title:
            self.fields["title"].label = "Scenario name"
        self.fields["yaml_text"].label = "Scenario file (YAML)"
        self.fields["yaml_text"].help_text = (
            "A patient-flow scenario as 'surgewatch simulate' reads it: arrivals, ward, "
            "pathways 0-3, services, schemes and the indicators fed to the escalation rules."
        )
        self.fields["upload"].label = "Or upload a scenario file"
        self.fields["plan_version"] = VersionChoice(
            queryset=plans,
            required=False,
            label="Plan it builds on",
            help_text="The stored plan the file's 'plan:' line stands for: months, growth, "
            "severe-winter uplift, open beds and arrivals come from it.",
            empty_label="None: the scenario gives its own beds and arrivals",
        )
        self.fields["base"] = VersionChoice(
            queryset=bases,
            required=False,
            label="Builds on scenario",
            help_text="The stored scenario the file's 'extends:' line stands for; each top-level "
            "key in this file replaces the base's. Leave blank if the file has no 'extends:'.",
            empty_label="None",
        )


class SimulationForm(forms.Form):
    """Replications, seed, and optionally a second scenario to compare with."""

    replications = forms.IntegerField(
        label="Replications",
        help_text=f"Simulated winters, from {MIN_REPLICATIONS} to {MAX_REPLICATIONS}. More give "
        "steadier percentiles and narrower intervals, and take longer.",
        min_value=MIN_REPLICATIONS,
        max_value=MAX_REPLICATIONS,
        initial=DEFAULT_REPLICATIONS,
    )
    seed = forms.IntegerField(
        label="Seed",
        help_text="The same seed gives the same figures every time.",
        min_value=0,
        max_value=MAX_SEED,
        initial=DEFAULT_SEED,
    )

    def __init__(self, *args: Any, others: QuerySet[ScenarioVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compared_with"] = VersionChoice(
            queryset=others,
            required=False,
            label="Compare with (optional)",
            help_text="Runs both on the same random streams, so the differences are the "
            "schemes', not noise.",
            empty_label="No comparison",
        )

    @property
    def problem_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())
