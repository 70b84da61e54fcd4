"""Plan pages: list, upload, edit (a new version), and per version the gap, uncertainty,
costs, risks and demand, with the workbook for the board.

Views are thin: check scope, parse the form, call the service or the planning
core, show problems beside the field. Without a version number a page shows
the latest version; with one, that version (earlier ones stay readable).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from surgewatch.planning.months import label
from surgewatch.web.governance import selectors as governance
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.requests import signed_in_user, viewable_organisation
from surgewatch.web.plans import export, runs, selectors
from surgewatch.web.plans.documents import KIND_NAMES
from surgewatch.web.plans.forms import PlanFileForm, ReplicationsForm
from surgewatch.web.plans.models import Plan, PlanVersion, UncertaintyRun
from surgewatch.web.plans.permissions import can_edit_plans, require_edit_plans
from surgewatch.web.plans.services import add_version, create_plan

# The page for each part a plan file may hold, in the order the plan page lists them.
PAGES = (
    ("capacity", "plan-gap"),
    ("costs", "plan-costs"),
    ("risks", "plan-risks"),
    ("demand", "plan-demand"),
)


def _organisation(request: HttpRequest, slug: str, *, editing: bool = False) -> Organisation:
    organisation = viewable_organisation(request, slug)
    if editing:
        require_edit_plans(signed_in_user(request), organisation)
    return organisation


def _version(organisation: Organisation, pk: int, number: int | None) -> PlanVersion:
    plan = get_object_or_404(Plan, organisation=organisation, pk=pk)
    versions = PlanVersion.objects.select_related("plan", "uploaded_by").filter(plan=plan)
    if number is None:
        return versions.order_by("-number").first() or _missing()
    return get_object_or_404(versions, number=number)


def _missing() -> PlanVersion:
    raise Http404("plan has no version")


def _context(
    request: HttpRequest, organisation: Organisation, version: PlanVersion
) -> dict[str, Any]:
    latest = version.plan.latest_version()
    return {
        "organisation": organisation,
        "plan": version.plan,
        "version": version,
        "latest": latest,
        "is_latest": latest.pk == version.pk,
        "kinds": [
            (kind, KIND_NAMES[kind], f"{name}-version")
            for kind, name in PAGES
            if kind in version.kind_list
        ],
        "can_edit": can_edit_plans(signed_in_user(request), organisation),
    }


@login_required
def plans(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    plans = list(selectors.plans_of(organisation))
    latest = governance.latest_version_rows(plans)
    context = {
        "organisation": organisation,
        "plans": [(plan, latest.get(plan.pk)) for plan in plans],
        "can_edit": can_edit_plans(signed_in_user(request), organisation),
    }
    return render(request, "plans/plans.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, editing=True)
    form = PlanFileForm(
        request.POST or None, request.FILES or None, initial={"change_note": "First version"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = create_plan(
                signed_in_user(request),
                organisation,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                filename=form.cleaned_data["filename"],
                change_note=form.cleaned_data["change_note"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(request, f"{version.plan.title}: version 1 saved.")
            return redirect("plan", slug=slug, pk=version.plan.pk)
    context = {"organisation": organisation, "form": form, "plan": None}
    return render(request, "plans/plan_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug, editing=True)
    latest = _version(organisation, pk, None)
    form = PlanFileForm(
        request.POST or None,
        request.FILES or None,
        with_title=False,
        initial={"yaml_text": latest.yaml_text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = add_version(
                signed_in_user(request),
                latest.plan,
                text=form.cleaned_data["text"],
                filename=form.cleaned_data["filename"],
                change_note=form.cleaned_data["change_note"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(request, f"{version.plan.title}: version {version.number} saved.")
            return redirect("plan", slug=slug, pk=pk)
    context = {"organisation": organisation, "form": form, "plan": latest.plan, "latest": latest}
    return render(request, "plans/plan_form.html", context, status=400 if form.errors else 200)


@login_required
def plan(request: HttpRequest, slug: str, pk: int, number: int | None = None) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    context = _context(request, organisation, version)
    # Approval lives in governance (issue 7); the plan pages show it, approval happens there.
    rows = governance.version_rows(PlanVersion.objects.filter(plan=version.plan).newest_first())
    context["versions"] = rows
    context["shown"] = next(row for row in rows if row.version.pk == version.pk)
    return render(request, "plans/plan.html", context)


@login_required
def plan_gap(request: HttpRequest, slug: str, pk: int, number: int | None = None) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    result = selectors.gap_figures(selectors.documents_of(version))
    if result is None:
        raise Http404("this plan version has no bed gap")
    context = _context(request, organisation, version)
    context.update(
        result=result,
        rows=selectors.gap_rows(result),
        chart=selectors.gap_chart(result),
        sign_note=selectors.SIGN_NOTE,
    )
    return render(request, "plans/gap.html", context)


@login_required
def plan_costs(request: HttpRequest, slug: str, pk: int, number: int | None = None) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    result = selectors.cost_figures(selectors.documents_of(version))
    if result is None:
        raise Http404("this plan version has no costs")
    context = _context(request, organisation, version)
    context["result"] = result
    return render(request, "plans/costs.html", context)


@login_required
def plan_risks(request: HttpRequest, slug: str, pk: int, number: int | None = None) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    documents = selectors.documents_of(version)
    # Reviews are judged against today in UK time, read here at the edge.
    result = selectors.risk_figures(documents, timezone.localdate())
    if result is None:
        raise Http404("this plan version has no risk register")
    context = _context(request, organisation, version)
    context.update(
        result=result,
        heat_rows=selectors.heat_rows(documents, result),
        register=documents.risks,
        overdue_count=sum(1 for r in result.risks if r.overdue_days),
    )
    return render(request, "plans/risks.html", context)


@login_required
def plan_demand(
    request: HttpRequest, slug: str, pk: int, number: int | None = None
) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    result = selectors.demand_figures(selectors.documents_of(version))
    if result is None:
        raise Http404("this plan version has no demand forecast")
    context = _context(request, organisation, version)
    context.update(result=result, months=[label(m) for m in result.months])
    return render(request, "plans/demand.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_uncertainty(
    request: HttpRequest, slug: str, pk: int, number: int | None = None
) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    capacity = selectors.documents_of(version).capacity
    if capacity is None:
        raise Http404("this plan version has no bed gap to simulate")
    blocker = runs.uncertainty_blocker(capacity)
    form = ReplicationsForm(request.POST if request.method == "POST" else request.GET or None)
    run = None
    if form.is_bound and form.is_valid() and blocker is None:
        replications = form.cleaned_data["replications"]
        if request.method == "POST":
            runs.request_run(
                signed_in_user(request), version, capacity, replications, timezone.now()
            )
            url = reverse("plan-uncertainty-version", args=[slug, pk, version.number])
            return redirect(f"{url}?replications={replications}")
        run = UncertaintyRun.objects.filter(
            version=version, replications=replications, seed=runs.SEED
        ).first()
    context = _context(request, organisation, version)
    context.update(form=form, blocker=blocker, run=run, seed=runs.SEED, **_run_context(run))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "plans/uncertainty.html", context, status=status)


@login_required
def uncertainty_status(
    request: HttpRequest, slug: str, pk: int, number: int, run_id: int
) -> HttpResponse:
    """The htmx poll: the status line until the run finishes, then a full reload."""
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    run = get_object_or_404(UncertaintyRun, version=version, pk=run_id)
    response = render(
        request,
        "plans/_run_status.html",
        {"run": run, "version": version, "organisation": organisation},
    )
    if run.finished:
        response["HX-Refresh"] = "true"
    return response


def _run_context(run: UncertaintyRun | None) -> dict[str, Any]:
    if run is None or run.result is None:
        return {"areas": [], "chart": None}
    areas = run.result["areas"]
    # The chart shows the plan as a whole: the plan total, or the only division.
    return {"areas": areas, "chart": selectors.uncertainty_chart(areas[-1])}


@login_required
def plan_xlsx(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    body = export.plan_workbook(selectors.documents_of(version), timezone.localdate())
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{organisation.slug}-plan-{pk}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def plan_yaml(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    version = _version(organisation, pk, number)
    response = HttpResponse(version.yaml_text, content_type="application/yaml; charset=utf-8")
    # An uploaded name is the uploader's text: only safe characters reach the header.
    name = re.sub(r"[^A-Za-z0-9._-]", "_", version.filename) or (
        f"{organisation.slug}-plan-{pk}-v{version.number}.yaml"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
