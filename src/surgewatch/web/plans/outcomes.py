"""Scheme outcomes and savings (issue 7): forms, writes and reads for the outcome pages.

The arithmetic is the planning core's (:mod:`surgewatch.planning.savings`, the same
function ``surgewatch plan savings`` calls): bed days saved x the bed-day cost plus
admissions avoided x the admission cost (seed 003, Lincolnshire HART). Here the
counts and the unit costs are stored as records: never changed, an amendment is a
new record that names the one it replaces, and new unit costs are a new row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from surgewatch.planning.loading import PlanError
from surgewatch.planning.savings import (
    Outcomes,
    SavingsReport,
    SchemeSaving,
    calculate_savings,
    quantity,
)
from surgewatch.planning.savings import Period as CorePeriod
from surgewatch.web.accounts.models import User
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.plans.documents import parse_plan_file
from surgewatch.web.plans.models import Plan, SavingsUnitCosts, SchemeOutcome
from surgewatch.web.plans.permissions import require_edit_plans

SEED_EXAMPLE = (
    "Seed 003 (Lincolnshire HART, 2017) priced a bed day at GBP 400 and an avoided "
    "admission at GBP 2,000. Use your own system's costs."
)


# --- forms --------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


def _amount(label: str, help_text: str = "", *, required: bool = True) -> forms.DecimalField:
    """A money amount or a count of bed days: not negative, at most 2 decimal places."""
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
    )


class UnitCostsForm(forms.Form):
    bed_day = _amount("Cost of one bed day (GBP)", "For example 400 (seed 003).")
    admission_avoided = _amount(
        "Cost of one avoided admission (GBP)", "For example 2000 (seed 003)."
    )
    source = forms.CharField(
        label="Where these costs come from",
        help_text="Kept with the costs, so a saving can be traced to them.",
        max_length=2000,
        widget=forms.Textarea,
    )


class OutcomeForm(forms.Form):
    """One scheme's counts over one period; ``amends`` names the record it replaces."""

    plan = forms.ModelChoiceField(
        label="Plan the scheme belongs to",
        help_text="Choose the plan whose bed-gap schemes include this one, or 'Not in a plan'.",
        queryset=Plan.objects.none(),
        required=False,
        empty_label="Not in a plan",
    )
    scheme = forms.CharField(label="Scheme", max_length=200)
    provider = forms.CharField(label="Provider (optional)", max_length=300, required=False)
    period_start = forms.DateField(label="First day the counts cover", widget=DateInput)
    period_end = forms.DateField(label="Last day the counts cover", widget=DateInput)
    referrals = forms.IntegerField(label="Referrals (optional)", min_value=0, required=False)
    discharges_supported = forms.IntegerField(
        label="Discharges supported (optional)", min_value=0, required=False
    )
    admissions_avoided = forms.IntegerField(label="Admissions avoided", min_value=0)
    bed_days_saved = _amount("Bed days saved")
    bed_days_potential = _amount(
        "Bed days potentially saved (optional)",
        "Shown beside the savings but not added to the total, as seed 003 does.",
        required=False,
    )
    note = forms.CharField(
        label="Note (optional)", max_length=2000, required=False, widget=forms.Textarea
    )
    amends = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why this amends the earlier record",
        max_length=2000,
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Plan.objects.filter(organisation=organisation).order_by("title")
        field.help_text = _schemes_hint(organisation)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "the period ends before it starts; fix: swap the dates")
        return cleaned

    def attach(self, error: ValidationError) -> None:
        """Put a service's problems beside their fields."""
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(None if field == "__all__" else field, message)


def _schemes_hint(organisation: Organisation) -> str:
    named = [f"{plan.title}: {', '.join(names)}" for plan, names in plan_schemes(organisation)]
    return "Schemes in your plans. " + ("; ".join(named) if named else "No plan has schemes yet.")


# --- writes -------------------------------------------------------------------------------


def set_unit_costs(
    user: User,
    organisation: Organisation,
    *,
    bed_day: Decimal,
    admission_avoided: Decimal,
    source: str,
    now: dt.datetime,
) -> SavingsUnitCosts:
    """Store the costs that price savings from now on; earlier costs stay on record."""
    require_edit_plans(user, organisation)
    if not source.strip():
        raise ValidationError({"source": "say where the costs come from; fix: write a source"})
    costs = SavingsUnitCosts(
        organisation=organisation,
        bed_day=bed_day,
        admission_avoided=admission_avoided,
        source=source.strip(),
        set_by=user,
        set_at=now,
    )
    costs.save()
    return costs


@dataclass(frozen=True)
class OutcomeInput:
    """What the form sent for one record (cleaned)."""

    plan: Plan | None
    scheme: str
    provider: str
    period_start: dt.date
    period_end: dt.date
    referrals: int | None
    discharges_supported: int | None
    admissions_avoided: int
    bed_days_saved: Decimal
    bed_days_potential: Decimal | None
    note: str

    @classmethod
    def from_form(cls, cleaned: dict[str, Any]) -> OutcomeInput:
        return cls(**{name: cleaned[name] for name in cls.__dataclass_fields__})


def record_outcome(
    user: User,
    organisation: Organisation,
    sent: OutcomeInput,
    *,
    amends: int | None,
    reason: str,
    now: dt.datetime,
) -> SchemeOutcome:
    """Store a scheme's outcomes (or an amendment of a current record); one transaction."""
    require_edit_plans(user, organisation)
    scheme = sent.scheme.strip()
    _check_plan_scheme(organisation, sent.plan, scheme)
    with transaction.atomic():
        # One writer per organisation at a time, so two overlapping periods cannot both pass.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        earlier = _amended(organisation, amends, reason)
        _check_no_overlap(organisation, scheme, sent, earlier)
        record = SchemeOutcome(
            organisation=organisation,
            **{**sent.__dict__, "scheme": scheme, "provider": sent.provider.strip()},
            amends=earlier,
            reason=reason.strip() if earlier else "",
            recorded_by=user,
            recorded_at=now,
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:  # another amendment of the same record won the race
            raise ValidationError(
                {"__all__": "that record was amended a moment ago; fix: start again from the list"}
            ) from None
    return record


def _check_plan_scheme(organisation: Organisation, plan: Plan | None, scheme: str) -> None:
    if plan is None:
        return
    if plan.organisation_id != organisation.pk:
        raise ValidationError({"plan": "that plan is not this organisation's; fix: choose again"})
    names = dict(plan_schemes(organisation)).get(plan, [])
    if scheme not in names:
        known = ", ".join(names) or "(none: its latest version has no schemes)"
        raise ValidationError(
            {
                "scheme": f"'{scheme}' is not a scheme of {plan.title}; fix: use one of "
                f"{known}, or choose 'Not in a plan'"
            }
        )


def _amended(organisation: Organisation, amends: int | None, reason: str) -> SchemeOutcome | None:
    """The current record being amended, locked, or None for a new record."""
    if amends is None:
        return None
    earlier = (
        SchemeOutcome.objects.select_for_update()
        .filter(organisation=organisation, pk=amends)
        .first()
    )
    if earlier is None:
        raise ValidationError({"__all__": "the record to amend was not found; fix: start again"})
    if SchemeOutcome.objects.filter(amends=earlier).exists():
        raise ValidationError(
            {"__all__": "that record has already been amended; fix: amend the latest record"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "say why the record changes; fix: write a reason"})
    return earlier


def _check_no_overlap(
    organisation: Organisation, scheme: str, sent: OutcomeInput, earlier: SchemeOutcome | None
) -> None:
    """Two current records of one scheme may not share a day: those counts would be priced twice."""
    period = CorePeriod(start=sent.period_start, end=sent.period_end)
    others = current_outcomes(organisation).filter(scheme=scheme)
    if earlier is not None:
        others = others.exclude(pk=earlier.pk)
    for other in others:
        if period.overlaps(CorePeriod(start=other.period_start, end=other.period_end)):
            raise ValidationError(
                {
                    "period_start": f"{scheme} already has outcomes for {other.period_start} to "
                    f"{other.period_end}, which this period overlaps; fix: amend that record, "
                    "or choose dates that follow it"
                }
            )


# --- reads --------------------------------------------------------------------------------


def current_outcomes(organisation: Organisation) -> QuerySet[SchemeOutcome]:
    """The records the savings count, by scheme and period."""
    records = SchemeOutcome.objects.current().filter(organisation=organisation)
    return records.select_related("plan", "recorded_by", "amends").order_by(
        "scheme", "period_start", "pk"
    )


def amended_outcomes(organisation: Organisation) -> list[OutcomeRow]:
    """Records a later record replaced, newest first: the history under the table."""
    records = SchemeOutcome.objects.filter(organisation=organisation, amended_by__isnull=False)
    ordered = records.select_related("amended_by__recorded_by", "recorded_by")
    return [OutcomeRow(r) for r in ordered.order_by("-recorded_at", "-pk")]


def plan_schemes(organisation: Organisation) -> list[tuple[Plan, list[str]]]:
    """Each plan of the organisation with the scheme names of its latest version's bed gap."""
    found = []
    for plan in Plan.objects.filter(organisation=organisation).order_by("title"):
        version = plan.latest_version()
        if version is None or "capacity" not in version.kind_list:
            continue
        try:
            capacity = parse_plan_file(version.yaml_text, version.filename or "plan.yaml").capacity
        except PlanError:  # stored versions were validated; a later core may read them stricter
            continue
        if capacity is not None and capacity.schemes:
            found.append((plan, [scheme.name for scheme in capacity.schemes]))
    return found


@dataclass(frozen=True)
class OutcomeRow:
    """A record and what it saves (``saving`` is None until unit costs are set), in words."""

    record: SchemeOutcome
    saving: SchemeSaving | None = None
    currency: str = "GBP"

    @property
    def counts(self) -> list[str]:
        r = self.record
        named: list[tuple[str, Decimal | int | None]] = [
            ("Bed days saved", r.bed_days_saved),
            ("Admissions avoided", r.admissions_avoided),
            ("Discharges supported", r.discharges_supported),
            ("Referrals", r.referrals),
            ("Bed days potentially saved", r.bed_days_potential),
        ]
        return [f"{words}: {quantity(value)}" for words, value in named if value is not None]

    @property
    def workings(self) -> list[str]:
        """The arithmetic, line by line: each part, then the total."""
        if self.saving is None:
            return []
        s, cur = self.saving, self.currency
        return [
            s.bed_days.arithmetic(cur),
            s.admissions.arithmetic(cur),
            f"Total: {s.total_arithmetic(cur)}",
        ]

    @property
    def potential(self) -> str:
        """The potential saving, priced but outside the total ('' when none)."""
        if self.saving is None or self.saving.potential is None:
            return ""
        return self.saving.potential.arithmetic(self.currency)


def savings_of(
    records: list[SchemeOutcome], costs: SavingsUnitCosts | None
) -> tuple[list[OutcomeRow], SavingsReport | None]:
    """Each record priced by the planning core, and the report (None without costs)."""
    if costs is None or not records:
        return [OutcomeRow(r) for r in records], None
    report = calculate_savings(core_outcomes(records, costs))
    pairs = zip(records, report.outcomes, strict=True)
    rows = [OutcomeRow(r, s, report.currency) for r, s in pairs]
    return rows, report


def core_outcomes(records: list[SchemeOutcome], costs: SavingsUnitCosts) -> Outcomes:
    """The stored records as the planning core's outcomes file."""
    return Outcomes.model_validate(
        {
            "title": f"Scheme outcomes of {costs.organisation.name}",
            "unit_costs": {
                "bed_day": costs.bed_day,
                "admission_avoided": costs.admission_avoided,
                "source": costs.source,
            },
            "outcomes": [_core_outcome(r) for r in records],
        }
    )


def _core_outcome(record: SchemeOutcome) -> dict[str, Any]:
    return {
        "scheme": record.scheme,
        "provider": record.provider or None,
        "period": {"start": record.period_start, "end": record.period_end},
        "counts": {
            "referrals": record.referrals,
            "discharges_supported": record.discharges_supported,
            "admissions_avoided": record.admissions_avoided,
            "bed_days_saved": record.bed_days_saved,
            "bed_days_potential": record.bed_days_potential,
        },
        "note": record.note or None,
    }


def initial_from(record: SchemeOutcome) -> dict[str, Any]:
    """The form's starting values when amending ``record``."""
    fields = OutcomeInput.__dataclass_fields__
    values = {name: getattr(record, name) for name in fields if name != "plan"}
    return {**values, "plan": record.plan_id, "amends": record.pk}
