"""Governance pages (issue 7): versions of the pack and plans with their approval, a diff
between any two pack versions, the plan's version history and sign-off schedule, and the
exercise log. Views are thin: check scope, parse the form, call the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from surgewatch.web.governance import selectors, services
from surgewatch.web.governance.diff import CONTEXT_LINES, line_diff
from surgewatch.web.governance.forms import (
    ApproveForm,
    ExerciseForm,
    PackForm,
    PlanApproveForm,
    SignOffOutcomeForm,
)
from surgewatch.web.governance.models import ExerciseEntry, PackRevision
from surgewatch.web.governance.permissions import can_govern, require_govern
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.requests import signed_in_user, viewable_organisation
from surgewatch.web.plans.models import PlanVersion


def _organisation(request: HttpRequest, slug: str, *, changing: bool = False) -> Organisation:
    organisation = viewable_organisation(request, slug)
    if changing:
        require_govern(signed_in_user(request), organisation)
    return organisation


@login_required
def governance(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    versions = selectors.pack_versions(organisation)
    context = {
        "organisation": organisation,
        "versions": versions,
        "live": selectors.live_version(versions),
        "plans": selectors.plan_versions(organisation),
        "documents": selectors.document_versions(organisation),
        "sign_offs": selectors.sign_off_schedules(organisation),
        "exercise_count": ExerciseEntry.objects.filter(organisation=organisation).count(),
        "sign_off_form": SignOffOutcomeForm(organisation=organisation),
        "can_govern": can_govern(signed_in_user(request), organisation),
        "user_pk": signed_in_user(request).pk,
    }
    return render(request, "governance/governance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, changing=True)
    form = PackForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.propose_revision(
                signed_in_user(request),
                organisation,
                text=form.cleaned_data["text"],
                filename=form.cleaned_data["filename"],
                summary=form.cleaned_data["summary"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(
                request,
                f"Version {revision.version} saved as a draft. It is not in force until "
                "someone else with a declaring role approves it.",
            )
            return redirect(f"{reverse('governance-diff', args=[slug])}?to=r{revision.pk}")
    context = {
        "organisation": organisation,
        "form": form,
        "live": organisation.framework,
        "live_text": organisation.framework.yaml_text,
    }
    status = 400 if form.errors else 200
    return render(request, "governance/propose.html", context, status=status)


@login_required
@require_POST
def approve(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, changing=True)
    form = ApproveForm(request.POST)
    revision = None
    if form.is_valid():
        revision = PackRevision.objects.filter(
            organisation=organisation, pk=form.cleaned_data["revision"]
        ).first()
    if revision is None:
        messages.error(request, "No such draft revision of this organisation's pack.")
        return redirect("governance", slug=slug)
    try:
        approved = services.approve_revision(signed_in_user(request), revision, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('governance-diff', args=[slug])}?to=r{revision.pk}")
    messages.success(
        request,
        f"Version {approved.version} approved and now in force for {organisation.name}.",
    )
    return redirect("governance", slug=slug)


@login_required
def diff(request: HttpRequest, slug: str) -> HttpResponse:
    """Two versions side by side as a line diff; with no choice, the newest draft (or the
    live version) against the live one (or the version before it)."""
    organisation = _organisation(request, slug)
    versions = selectors.pack_versions(organisation)
    new = selectors.find_version(versions, request.GET.get("to")) or versions[0]
    old = selectors.find_version(versions, request.GET.get("from")) or _default_old(versions, new)
    user = signed_in_user(request)
    context = {
        "organisation": organisation,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": line_diff(old.text, new.text),
        "context_lines": CONTEXT_LINES,
        "can_approve": new.status == "draft"
        and can_govern(user, organisation)
        and new.revision is not None
        and selectors.may_approve(user, new.revision),
    }
    return render(request, "governance/diff.html", context)


def _default_old(
    versions: list[selectors.PackVersion], new: selectors.PackVersion
) -> selectors.PackVersion:
    live = selectors.live_version(versions)
    if new.key != live.key:
        return live
    older = [v for v in versions if v.status == "superseded"]
    return older[0] if older else live


@login_required
@require_POST
def plan_approve(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, changing=True)
    form = PlanApproveForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label}: {' '.join(str(e) for e in errors)}"
            )
        return redirect(reverse("governance", args=[slug]) + "#plans")
    version = (
        PlanVersion.objects.select_related("plan__organisation")
        .filter(plan__organisation=organisation, pk=form.cleaned_data["version"])
        .first()
    )
    if version is None:
        messages.error(request, "No such version of this organisation's plans.")
        return redirect(reverse("governance", args=[slug]) + "#plans")
    try:
        services.approve_plan_version(
            signed_in_user(request), version, summary=form.cleaned_data["summary"],
            now=timezone.now(),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{version.plan.title}: version {version.number} approved.")
    return redirect(reverse("governance", args=[slug]) + "#plans")


@login_required
@require_POST
def sign_off_outcome(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, changing=True)
    form = SignOffOutcomeForm(request.POST, organisation=organisation)
    back = reverse("governance", args=[slug]) + "#sign-off"
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(map(str, errors))}")
        return redirect(back)
    meeting = form.cleaned_data["meeting"]
    try:
        services.record_sign_off_outcome(
            signed_in_user(request),
            meeting,
            outcome=form.cleaned_data["outcome"],
            meeting_date=form.cleaned_data["meeting_date"],
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Outcome of {meeting.meeting} recorded.")
    return redirect(back)


@login_required
def exercises(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    context = {
        "organisation": organisation,
        "entries": ExerciseEntry.objects.of(organisation).order_by("-held_on", "-pk"),
        "can_govern": can_govern(signed_in_user(request), organisation),
    }
    return render(request, "governance/exercises.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def exercise_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, changing=True)
    form = ExerciseForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.record_exercise(
                signed_in_user(request), organisation,
                held_on=data["held_on"], kind=data["kind"], title=data["title"],
                scenario=data["scenario"], what_happened=data["what_happened"],
                lessons=data["lessons"], plan_changes=data["plan_changes"],
                pack_revision=data["pack_revision"], document_version=data["document_version"],
                now=timezone.now(),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"'{entry.title}' added to the exercise log.")
            return redirect("exercise-log", slug=slug)
    context = {"organisation": organisation, "form": form}
    status = 400 if form.errors else 200
    return render(request, "governance/exercise_form.html", context, status=status)
