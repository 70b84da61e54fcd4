"""Scheme outcome pages (issue 7): the savings, recording or amending outcomes, unit costs.

Thin views: check scope on the server (anyone who sees the organisation reads;
plan editors record, as for plans), parse the form, call :mod:`outcomes`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from surgewatch.planning.savings import SAVINGS_HEADER, savings_rows
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.requests import signed_in_user, viewable_organisation
from surgewatch.web.plans import outcomes
from surgewatch.web.plans.models import SavingsUnitCosts, SchemeOutcome
from surgewatch.web.plans.permissions import can_edit_plans, require_edit_plans

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organisation(request: HttpRequest, slug: str, *, editing: bool = False) -> Organisation:
    organisation = viewable_organisation(request, slug)
    if editing:
        require_edit_plans(signed_in_user(request), organisation)
    return organisation


@login_required
def outcome_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    costs = SavingsUnitCosts.objects.in_force(organisation)
    rows, report = outcomes.savings_of(list(outcomes.current_outcomes(organisation)), costs)
    context = {
        "organisation": organisation,
        "costs": costs,
        "rows": rows,
        "report": report,
        "amended": outcomes.amended_outcomes(organisation),
        "can_edit": can_edit_plans(signed_in_user(request), organisation),
    }
    return render(request, "plans/outcomes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, editing=True)
    amending = _amending(request, organisation)
    initial = outcomes.initial_from(amending) if amending else {}
    form = outcomes.OutcomeForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            record = outcomes.record_outcome(
                signed_in_user(request),
                organisation,
                outcomes.OutcomeInput.from_form(form.cleaned_data),
                amends=form.cleaned_data["amends"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            verb = "amended" if record.amends_id else "recorded"
            messages.success(request, f"{record.scheme}: outcomes {verb}.")
            return redirect("outcomes", slug=slug)
    context = {"organisation": organisation, "form": form, "amending": amending}
    return render(request, "plans/outcomes_form.html", context, status=400 if form.errors else 200)


def _amending(request: HttpRequest, organisation: Organisation) -> SchemeOutcome | None:
    """The record named by ``?amends=`` (or the posted field), which must be current."""
    wanted = request.POST.get("amends") or request.GET.get("amends")
    if not wanted:
        return None
    if not wanted.isdigit():
        raise Http404("no such outcome record")
    record = outcomes.current_outcomes(organisation).filter(pk=int(wanted)).first()
    if record is None:
        raise Http404("no current outcome record with that number")
    return record


@login_required
@require_http_methods(["GET", "POST"])
def outcome_unit_costs(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, editing=True)
    costs = SavingsUnitCosts.objects.in_force(organisation)
    initial: dict[str, Any] = {}
    if costs is not None:
        initial = {"bed_day": costs.bed_day, "admission_avoided": costs.admission_avoided}
    form = outcomes.UnitCostsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.set_unit_costs(
                signed_in_user(request), organisation, **form.cleaned_data, now=timezone.now()
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            messages.success(request, "Unit costs saved; the savings use them from now on.")
            return redirect("outcomes", slug=slug)
    context = {
        "organisation": organisation,
        "form": form,
        "costs": costs,
        "history": SavingsUnitCosts.objects.filter(organisation=organisation)
        .select_related("set_by")
        .order_by("-set_at", "-pk"),
        "seed_example": outcomes.SEED_EXAMPLE,
    }
    status = 400 if form.errors else 200
    return render(request, "plans/outcomes_unit_costs.html", context, status=status)


@login_required
def outcomes_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """The savings table as ``surgewatch plan savings --format xlsx`` writes it."""
    organisation = _organisation(request, slug)
    costs = SavingsUnitCosts.objects.in_force(organisation)
    _, report = outcomes.savings_of(list(outcomes.current_outcomes(organisation)), costs)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Savings"
    sheet.append(SAVINGS_HEADER)
    if report is None or costs is None:
        sheet.append(["No savings yet: record scheme outcomes and set the unit costs."])
    else:
        for *words, amount in savings_rows(report):
            sheet.append([*words, float(amount)])
        sheet.append([])
        sheet.append([f"Unit costs set {costs.set_at:%Y-%m-%d}: {costs.source}"])
    response = HttpResponse(content_type=XLSX)
    book.save(response)
    name = f"{organisation.slug}-savings.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
