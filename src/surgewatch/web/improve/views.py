"""Self-assessment pages (issue 7): the frameworks, results with the radar chart and the
change since the last assessment, recording an assessment, the action plan, exports.

Views are thin: check scope, parse, call the service, show its errors beside the
fields. Assessments are never edited: a new assessment is a new record.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from surgewatch.improvement.frameworks import LoadedFramework
from surgewatch.web.improve import catalogue, export, selectors
from surgewatch.web.improve.forms import (
    ActionForm,
    AssessmentForm,
    ScopeForm,
    StatusForm,
    assessment_initial,
)
from surgewatch.web.improve.models import Assessment, ImprovementAction
from surgewatch.web.improve.permissions import can_assess, require_assess
from surgewatch.web.improve.services import (
    action_errors,
    assessment_errors,
    plan_action,
    record_assessment,
    set_action_status,
)
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.requests import signed_in_user as _user
from surgewatch.web.orgs.requests import viewable_organisation as _organisation
from surgewatch.web.sitrep.pdf import PdfUnavailableError


def _scope(request: HttpRequest, organisation: Organisation) -> tuple[ScopeForm, Area | None]:
    form = ScopeForm(request.GET or None, organisation=organisation)
    return form, form.chosen_area()


@login_required
@require_GET
def improve(request: HttpRequest, slug: str) -> HttpResponse:
    """The frameworks, each with its latest assessment for the whole organisation and areas."""
    organisation = _organisation(request, slug)
    overview = []
    for source in catalogue.all_loaded():
        framework = source.framework
        rows = list(
            Assessment.objects.filter(
                organisation=organisation, framework_id=framework.id
            ).newest_first()
        )
        open_actions = ImprovementAction.objects.open().filter(
            organisation=organisation, framework_id=framework.id
        )
        overview.append((framework, rows[:5], len(rows), open_actions.count()))
    context = {
        "organisation": organisation,
        "overview": overview,
        "can_assess": can_assess(_user(request), organisation),
    }
    return render(request, "improve/index.html", context)


@login_required
@require_GET
def framework_results(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    """The latest assessment of the chosen scope, its history and the action plan's state."""
    organisation = _organisation(request, slug)
    source = catalogue.loaded_or_404(framework)
    scope, area = _scope(request, organisation)
    history = selectors.assessments(organisation, framework, area)
    latest = history[0] if history else None
    return _results_page(request, organisation, source, latest, history, scope, area)


@login_required
@require_GET
def assessment(request: HttpRequest, slug: str, framework: str, number: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    source = catalogue.loaded_or_404(framework)
    found = _assessment(organisation, framework, number)
    history = selectors.assessments(organisation, framework, found.area)
    scope = ScopeForm(
        organisation=organisation, initial={"area": found.area.slug if found.area else ""}
    )
    return _results_page(request, organisation, source, found, history, scope, found.area)


def _assessment(organisation: Organisation, framework: str, number: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("area", "recorded_by"),
        organisation=organisation,
        framework_id=framework,
        number=number,
    )


def _results_page(
    request: HttpRequest,
    organisation: Organisation,
    source: LoadedFramework,
    shown: Assessment | None,
    history: list[Assessment],
    scope: ScopeForm,
    area: Area | None,
) -> HttpResponse:
    framework = source.framework
    results = selectors.results_for(framework, shown) if shown else None
    context = {
        "organisation": organisation,
        "framework": framework,
        "scope": scope,
        "area": area,
        "results": results,
        "chart": selectors.chart_data(results) if results else None,
        "is_rag": framework.scale.kind == "rag",
        "history": history,
        "can_assess": can_assess(_user(request), organisation),
        **_plan_counts(organisation, framework.id, area),
    }
    return render(request, "improve/results.html", context)


def _plan_counts(
    organisation: Organisation, framework_id: str, area: Area | None
) -> dict[str, int]:
    rows = ImprovementAction.objects.open().filter(
        organisation=organisation, framework_id=framework_id, area=area
    )
    today = timezone.localdate()
    return {"open_actions": rows.count(), "overdue_actions": rows.filter(due_on__lt=today).count()}


@login_required
def assess(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    """Record a new assessment; the form starts from the last one of the same scope."""
    organisation = _organisation(request, slug)
    require_assess(_user(request), organisation)
    source = catalogue.loaded_or_404(framework)
    if request.method == "POST":
        form = AssessmentForm(request.POST, organisation=organisation, framework=source.framework)
        if form.is_valid():
            return _record(request, organisation, source, form)
        given = form.assessment_input()
        _add_errors(form, assessment_errors(organisation, source, given, timezone.now()))
        return _assess_page(request, organisation, source, form, status=400)
    _, area = _scope(request, organisation)
    last = selectors.latest(organisation, framework, area)
    initial = assessment_initial(selectors.levels_of(last) if last else {}, area)
    initial["assessed_on"] = timezone.localdate()
    form = AssessmentForm(initial=initial, organisation=organisation, framework=source.framework)
    return _assess_page(request, organisation, source, form)


def _record(
    request: HttpRequest, organisation: Organisation, source: LoadedFramework, form: AssessmentForm
) -> HttpResponse:
    try:
        made = record_assessment(
            _user(request), organisation, source, form.assessment_input(), timezone.now()
        )
    except ValidationError as problems:
        _add_errors(form, problems.message_dict)
        return _assess_page(request, organisation, source, form, status=400)
    messages.success(request, f"Assessment {made.number} is on record.")
    return redirect("improve-assessment", organisation.slug, source.framework.id, made.number)


def _add_errors(form: Form, errors: dict[str, list[str]]) -> None:
    """The service's problems beside their fields, after any the form found itself."""
    for field, messages_ in errors.items():
        name = None if field == "__all__" else field
        if name is not None and name in form.errors:
            continue  # the form already says what is wrong with it
        for message in messages_:
            form.add_error(name, message)


def _assess_page(
    request: HttpRequest,
    organisation: Organisation,
    source: LoadedFramework,
    form: AssessmentForm,
    status: int = 200,
) -> HttpResponse:
    context = {"organisation": organisation, "framework": source.framework, "form": form}
    return render(request, "improve/assess.html", context, status=status)


@login_required
def action_plan(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    """Seed 003's action planning template: the plan per change, and a row to add."""
    organisation = _organisation(request, slug)
    source = catalogue.loaded_or_404(framework)
    if request.method == "POST":
        require_assess(_user(request), organisation)
        form = ActionForm(request.POST, organisation=organisation, framework=source.framework)
        if form.is_valid():
            return _add_action(request, organisation, source, form)
        _add_errors(form, action_errors(organisation, source, form.action_input()))
        return _plan_page(request, organisation, source, form, status=400)
    _, area = _scope(request, organisation)
    initial = {"area": area.slug if area else "", "group_id": request.GET.get("change", "")}
    form = ActionForm(initial=initial, organisation=organisation, framework=source.framework)
    return _plan_page(request, organisation, source, form, area=area)


def _add_action(
    request: HttpRequest, organisation: Organisation, source: LoadedFramework, form: ActionForm
) -> HttpResponse:
    given = form.action_input()
    standing = selectors.latest(organisation, source.framework.id, given.area)
    try:
        made = plan_action(_user(request), organisation, source, given, standing, timezone.now())
    except ValidationError as problems:
        _add_errors(form, problems.message_dict)
        return _plan_page(request, organisation, source, form, status=400, area=given.area)
    messages.success(request, f"Action {made.number} is in the plan, owned by {made.owner}.")
    url = reverse("improve-plan", args=[organisation.slug, source.framework.id])
    return redirect(url + (f"?area={made.area.slug}" if made.area else ""))


def _plan_page(
    request: HttpRequest,
    organisation: Organisation,
    source: LoadedFramework,
    form: ActionForm,
    status: int = 200,
    area: Area | None = None,
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "framework": source.framework,
        "form": form,
        "area": area,
        "plan": selectors.plan(organisation, source.framework, area),
        "today": timezone.localdate(),
        "can_assess": can_assess(_user(request), organisation),
    }
    return render(request, "improve/plan.html", context, status=status)


@login_required
@require_POST
def action_status(request: HttpRequest, slug: str, framework: str, number: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    require_assess(_user(request), organisation)
    source = catalogue.loaded_or_404(framework)
    action = get_object_or_404(
        ImprovementAction, organisation=organisation, framework_id=framework, number=number
    )
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose open or done; the action was not changed.")
    else:
        set_action_status(_user(request), action, form.cleaned_data["status"], timezone.now())
        words = "done" if action.status == "done" else "open again"
        messages.success(request, f"Action {action.number} is {words}.")
    url = reverse("improve-plan", args=[organisation.slug, source.framework.id])
    return redirect(url + (f"?area={action.area.slug}" if action.area else ""))


@login_required
@require_GET
def export_pdf(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    return _export(request, slug, framework, "pdf")


@login_required
@require_GET
def export_xlsx(request: HttpRequest, slug: str, framework: str) -> HttpResponse:
    return _export(request, slug, framework, "xlsx")


def _export(request: HttpRequest, slug: str, framework: str, kind: str) -> HttpResponse:
    """The shown assessment (``?number=``, else the latest of the scope) and the plan."""
    organisation = _organisation(request, slug)
    source = catalogue.loaded_or_404(framework)
    _, area = _scope(request, organisation)
    number = request.GET.get("number", "")
    if number and not number.isdigit():
        raise Http404("the assessment number is a whole number")
    shown = _assessment(organisation, framework, int(number)) if number else None
    if shown is not None:
        area = shown.area
    shown = shown or selectors.latest(organisation, framework, area)
    document = export.Document.build(organisation, source.framework, shown, area)
    try:
        body, content_type = export.render(document, kind)
    except PdfUnavailableError as missing:
        context = {
            "organisation": organisation,
            "framework": source.framework,
            "message": str(missing),
        }
        return render(request, "improve/problem.html", context, status=503)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(document, kind)}"'
    return response
