"""Patient-flow simulation pages (issue 6): scenarios as immutable versions, runs in the
worker with a progress bar, and the result with fan charts and the predicted OPEL calendar.

Views are thin: check scope, parse the form, call the service, show problems
beside the field. Anyone who may see the organisation reads its scenarios and
results; storing a scenario or starting a run takes a plan editor
(:mod:`surgewatch.web.plans.permissions`): a run uses the shared worker.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.requests import signed_in_user, viewable_organisation
from surgewatch.web.plans import sim_selectors as selectors
from surgewatch.web.plans.models import Scenario, ScenarioVersion, SimulationRun
from surgewatch.web.plans.permissions import can_edit_plans, require_edit_plans
from surgewatch.web.plans.scenarios import ScenarioFile, add_scenario_version, create_scenario
from surgewatch.web.plans.sim_forms import ScenarioFileForm, SimulationForm
from surgewatch.web.plans.simulations import request_simulation


def _organisation(request: HttpRequest, slug: str, *, editing: bool = False) -> Organisation:
    organisation = viewable_organisation(request, slug)
    if editing:
        require_edit_plans(signed_in_user(request), organisation)
    return organisation


def _version(organisation: Organisation, pk: int, number: int | None) -> ScenarioVersion:
    scenario = get_object_or_404(Scenario, organisation=organisation, pk=pk)
    versions = ScenarioVersion.objects.select_related(
        "scenario", "uploaded_by", "plan_version__plan", "base__scenario"
    ).filter(scenario=scenario)
    if number is None:
        found = versions.order_by("-number").first()
        if found is None:
            raise Http404("scenario has no version")
        return found
    return get_object_or_404(versions, number=number)


def _run(organisation: Organisation, run_id: int) -> SimulationRun:
    return get_object_or_404(
        SimulationRun.objects.select_related("scenario__scenario", "compared_with__scenario"),
        scenario__scenario__organisation=organisation,
        pk=run_id,
    )


@login_required
def scenarios(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    context = {
        "organisation": organisation,
        "scenarios": selectors.scenarios_of(organisation),
        "can_edit": can_edit_plans(signed_in_user(request), organisation),
    }
    return render(request, "plans/scenarios.html", context)


def _file_form(request: HttpRequest, organisation: Organisation, **kwargs: Any) -> ScenarioFileForm:
    return ScenarioFileForm(
        request.POST or None,
        request.FILES or None,
        plans=selectors.capacity_plans_of(organisation),
        bases=selectors.scenario_versions_of(organisation),
        **kwargs,
    )


def _sent(form: ScenarioFileForm) -> ScenarioFile:
    data = form.cleaned_data
    return ScenarioFile(
        data["text"], data["filename"], data["plan_version"], data["base"], data["change_note"]
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, editing=True)
    form = _file_form(request, organisation, initial={"change_note": "First version"})
    if request.method == "POST" and form.is_valid():
        try:
            version = create_scenario(
                signed_in_user(request),
                organisation,
                title=form.cleaned_data["title"],
                sent=_sent(form),
                now=timezone.now(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(request, f"{version.scenario.title}: version 1 saved.")
            return redirect("scenario", slug=slug, pk=version.scenario.pk)
    context = {"organisation": organisation, "form": form, "scenario": None}
    status = 400 if form.errors else 200
    return render(request, "plans/scenario_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug, editing=True)
    latest = _version(organisation, pk, None)
    initial = {
        "yaml_text": latest.yaml_text,
        "plan_version": latest.plan_version_id,
        "base": latest.base_id,
    }
    form = _file_form(request, organisation, with_title=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = add_scenario_version(
                signed_in_user(request), latest.scenario, sent=_sent(form), now=timezone.now()
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(request, f"{version.scenario.title}: version {version.number} saved.")
            return redirect("scenario", slug=slug, pk=pk)
    context = {
        "organisation": organisation,
        "form": form,
        "scenario": latest.scenario,
        "latest": latest,
    }
    status = 400 if form.errors else 200
    return render(request, "plans/scenario_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def scenario(request: HttpRequest, slug: str, pk: int, number: int | None = None) -> HttpResponse:
    """A version: its file, its runs, and (for plan editors) the form that starts a run."""
    user = signed_in_user(request)
    organisation = _organisation(request, slug, editing=request.method == "POST")
    version = _version(organisation, pk, number)
    others = selectors.scenario_versions_of(organisation).exclude(pk=version.pk)
    form = SimulationForm(request.POST or None, others=others)
    if request.method == "POST" and form.is_valid():
        try:
            run = request_simulation(
                user,
                version,
                form.cleaned_data["compared_with"],
                form.cleaned_data["replications"],
                form.cleaned_data["seed"],
                timezone.now(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field, message)
        else:
            return redirect("simulation", slug=slug, run_id=run.pk)
    latest = version.scenario.latest_version()
    context = {
        "organisation": organisation,
        "scenario": version.scenario,
        "version": version,
        "latest": latest,
        "is_latest": latest.pk == version.pk,
        "versions": ScenarioVersion.objects.filter(scenario=version.scenario).newest_first(),
        "runs": SimulationRun.objects.filter(scenario=version)
        .select_related("compared_with__scenario")
        .order_by("-requested_at"),
        "form": form,
        "can_edit": can_edit_plans(user, organisation),
    }
    status = 400 if form.errors else 200
    return render(request, "plans/scenario.html", context, status=status)


@login_required
def simulation(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    run = _run(organisation, run_id)
    context: dict[str, Any] = {"organisation": organisation, "run": run}
    if run.result:  # a finished run's figures; nothing while queued, running or failed
        charts = selectors.fan_charts(run.result)
        context.update(
            comparison="differences_b_minus_a" in run.result,
            runs=[
                (name, result, selectors.calendar(result), selectors.days_at_high_level(result))
                for name, result in selectors.runs(run.result)
            ],
            summary=selectors.summary_rows(run.result),
            charts=[(chart, selectors.weekly_rows(chart)) for chart in charts],
            chart_data={"charts": charts},
        )
    return render(request, "plans/simulation.html", context)


@login_required
def simulation_status(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The htmx poll: the progress bar until the run finishes, then a full reload."""
    organisation = _organisation(request, slug)
    run = _run(organisation, run_id)
    response = render(
        request, "plans/_simulation_status.html", {"run": run, "organisation": organisation}
    )
    if run.finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
def simulation_json(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The stored result as the CLI's ``--format json`` writes it."""
    organisation = _organisation(request, slug)
    run = _run(organisation, run_id)
    if run.result is None:
        raise Http404("this run has no result yet")
    response = JsonResponse(run.result)
    title = re.sub(r"[^A-Za-z0-9._-]", "_", run.scenario.scenario.title)[:80]
    name = f"{organisation.slug}-simulation-{run.pk}-{title}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
