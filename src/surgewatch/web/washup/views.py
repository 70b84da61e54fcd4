"""Pages of the wash-up board (seed 003, Kent 'Acute Hospital Optimisation').

Thin, as elsewhere: scope, form, service. Everyone with a role in the organisation
sees counts, the blocker Pareto and delayed days; case rows and case pages only for
the areas the pack's ``sees_patient_records`` roles open (``patient_record_areas``),
and every case shown to them is logged as viewed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.improvement import washup
from surgewatch.web.audit.capture import viewed
from surgewatch.web.decisions.forms import attach
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import patient_record_areas
from surgewatch.web.orgs.requests import signed_in_user as _user
from surgewatch.web.orgs.requests import viewable_organisation as _organisation
from surgewatch.web.washup import selectors
from surgewatch.web.washup.data import names, washup_data
from surgewatch.web.washup.forms import (
    NOT_CASE_FIELDS,
    CaseForm,
    EscalateForm,
    PopulationForm,
    period_form,
)
from surgewatch.web.washup.models import WashupCase
from surgewatch.web.washup.services import (
    AREA_MANAGEMENT_ROLE,
    Escalation,
    escalate_blocker,
    open_case,
    require_patient_records,
    update_case,
)


def _today() -> date:
    return timezone.localdate()


def _shown(rows: list[selectors.CaseRow], areas: list[Area]) -> list[selectors.CaseRow]:
    """Only the rows of areas the user may open, logged as read (issue 7, 'Security')."""
    allowed = {a.pk for a in areas}
    shown = [r for r in rows if r.case.area_id in allowed]
    viewed(r.case for r in shown)
    return shown


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    areas = patient_record_areas(_user(request), organisation)
    rows = selectors.open_rows(organisation, _today())
    context = {
        "organisation": organisation,
        "counts": selectors.area_counts(organisation, rows),
        "rows": _shown(rows, areas),
        "case_areas": areas,
        "names": names(),
    }
    return render(request, "washup/board.html", context)


def _case(request: HttpRequest, organisation: Organisation, pk: int) -> WashupCase:
    related = WashupCase.objects.select_related("area", "organisation", "created_by")
    case = get_object_or_404(related, organisation=organisation, pk=pk)
    require_patient_records(_user(request), case.area)
    return case


@login_required
def case_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    case = _case(request, organisation, pk)
    found = selectors.revisions(case)
    # The history is patient-level too: each revision shown is logged as read.
    viewed([case, *found])
    context = {
        "organisation": organisation,
        "row": selectors.case_row(case, _today()),
        "case": case,
        "history": selectors.history(found, _labels()),
        "names": names(),
    }
    return render(request, "washup/case.html", context)


def _labels() -> dict[str, str]:
    """The case fields' names as the form shows them."""
    return {name: str(field.label) for name, field in CaseForm.base_fields.items()}


@login_required
def case_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, user = _organisation(request, slug), _user(request)
    areas = patient_record_areas(user, organisation)
    if not areas:
        raise PermissionDenied("only the roles that work cases may add them")
    form = CaseForm(areas, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            given, note = form.case_fields(), form.revision_note()
            case = open_case(user, form.chosen_area(), given, timezone.now(), note)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"Case {case.reference} is on the board.")
            return redirect("washup-case", slug=slug, pk=case.pk)
    return _form_page(request, organisation, form, None)


@login_required
def case_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, user = _organisation(request, slug), _user(request)
    case = _case(request, organisation, pk)
    fields = [name for name in CaseForm.base_fields if name not in NOT_CASE_FIELDS]
    initial = {name: getattr(case, name) for name in fields}
    initial["area"] = str(case.area_id)
    form = CaseForm([case.area], request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_case(user, case, form.case_fields(), timezone.now(), form.revision_note())
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"Case {form.cleaned_data['reference']} is updated.")
            return redirect("washup-case", slug=slug, pk=case.pk)
    else:
        viewed([case])  # the form shows the case
    return _form_page(request, organisation, form, case)


def _form_page(
    request: HttpRequest, organisation: Organisation, form: CaseForm, case: WashupCase | None
) -> HttpResponse:
    context = {"organisation": organisation, "form": form, "case": case}
    status = 400 if form.is_bound else 200
    return render(request, "washup/case_form.html", context, status=status)


@login_required
def cycle(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    areas = patient_record_areas(_user(request), organisation)
    form = EscalateForm(areas) if areas else None
    return _cycle_page(request, organisation, areas, form)


def _cycle_page(
    request: HttpRequest,
    organisation: Organisation,
    areas: list[Area],
    escalate: EscalateForm | None,
) -> HttpResponse:
    """Seed 003, 'Weekly improvement cycle': the blocker Pareto over the period, cases
    whose expected outcome falls short of the ideal, and actions overdue."""
    today = _today()
    period, start, end = period_form(request.GET, today)
    cases = selectors.cases_in_period(organisation, start, end)
    rows = [selectors.case_row(c, today) for c in cases]
    short = [r for r in rows if r.shortfall]
    overdue = [r for r in rows if r.overdue]
    if escalate is not None and not escalate.is_bound:
        escalate.initial = {"start": start, "end": end}
    context = {
        "organisation": organisation,
        "period": period,
        "start": start,
        "end": end,
        "cases": len(cases),
        "pareto": selectors.blocker_pareto(cases),
        "short_count": len(short),
        "overdue_count": len(overdue),
        "short": _shown(short, areas),
        "overdue": _shown(overdue, areas),
        "case_areas": areas,
        "escalate": escalate,
        "escalations": selectors.escalations(organisation),
        "management_role": _role_name(organisation),
        "names": names(),
    }
    status = 400 if escalate is not None and escalate.is_bound else 200
    return render(request, "washup/cycle.html", context, status=status)


def _role_name(organisation: Organisation) -> str:
    roles = pack_of(organisation.framework).roles
    return next((r.name for r in roles if r.id == AREA_MANAGEMENT_ROLE), AREA_MANAGEMENT_ROLE)


@require_POST
@login_required
def escalate(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, user = _organisation(request, slug), _user(request)
    areas = patient_record_areas(user, organisation)
    if not areas:
        raise PermissionDenied("only the roles that work cases escalate their blockers")
    form = EscalateForm(areas, request.POST)
    if form.is_valid():
        try:
            made = escalate_blocker(user, _escalation(organisation, form), timezone.now())
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"Escalated: card {made.card_id} is open for the area.")
            return redirect("washup-cycle", slug=slug)
    return _cycle_page(request, organisation, areas, form)


def _escalation(organisation: Organisation, form: EscalateForm) -> Escalation:
    data: dict[str, Any] = form.cleaned_data
    area = form.areas[data["area"]]
    start, end = data["start"], data["end"]
    cases = selectors.cases_in_period(organisation, start, end)
    count = sum(1 for c in cases if c.area_id == area.pk and c.blocker == data["blocker"])
    return Escalation(
        area, data["blocker"], count, start, end, data["note"].strip(), data["due_at"]
    )


@login_required
def dtoc(request: HttpRequest, slug: str) -> HttpResponse:
    """Delayed days per 100,000 population by area and attribution, as the DTOC
    comparisons in seed 003 put them ('delayed days (per 100k) for social care')."""
    organisation = _organisation(request, slug)
    period, start, end = period_form(request.GET, _today())
    areas = list(organisation.areas.filter(active=True).order_by("name"))
    populations = PopulationForm(areas, request.GET if "start" in request.GET else None)
    if populations.is_bound:
        populations.is_valid()  # errors show beside the fields; valid ones still count
    data = washup_data()
    cases = selectors.cases_in_period(organisation, start, end)
    rates = washup.delayed_days_per_population(
        selectors.delay_records(cases, start, end),
        populations.populations(),
        [a.id for a in data.attributions],
        data.per_population,
    )
    context = {
        "organisation": organisation,
        "period": period,
        "populations": populations,
        "start": start,
        "end": end,
        "rows": rates,
        "areas": {a.slug: a.name for a in areas},
        "names": names(),
        "per": data.per_population,
    }
    return render(request, "washup/dtoc.html", context)
