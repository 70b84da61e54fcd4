"""Pages of the decision and dynamic risk assessment log (seed 000, Appendix 4).

Views are thin: check scope, parse the form, call the service, show its errors
beside the fields. Entries are never edited: there is no edit view, only
'correct', which records a new entry pointing at the old.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.web.accounts.models import User
from surgewatch.web.calls.selectors import person_choices
from surgewatch.web.decisions import export, snapshot
from surgewatch.web.decisions.forms import (
    CorrectionForm,
    DecisionForm,
    LogFilterForm,
    ReviewForm,
    attach,
    decision_initial,
    local_input,
)
from surgewatch.web.decisions.models import Decision
from surgewatch.web.decisions.permissions import can_record, require_record
from surgewatch.web.decisions.reviews import may_review, record_review
from surgewatch.web.decisions.selectors import (
    decision_log,
    describe_person,
    latest_version,
    log_entries,
)
from surgewatch.web.decisions.services import record_decision
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.permissions import require_view

ENTRIES_PER_PAGE = 50


def request_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required guarantees it
    return request.user


def organisation_in_scope(
    request: HttpRequest, slug: str, *, writing: bool = False
) -> Organisation:
    """The organisation, after checking the user may see it (and record, when ``writing``)."""
    organisation = get_object_or_404(Organisation.objects.select_related("framework"), slug=slug)
    require_view(request_user(request), organisation)
    if writing:
        require_record(request_user(request), organisation)
    return organisation


@login_required
def decisions(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_in_scope(request, slug)
    filters = LogFilterForm(request.GET or None)
    since, until = filters.bounds() if filters.is_valid() else (None, None)
    log = decision_log(organisation, since=since, until=until)
    page = Paginator(log, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "filters": filters,
        "page": page,
        "entries": log_entries(page, timezone.now()),
        "can_record": can_record(request_user(request), organisation),
    }
    return render(request, "decisions/log.html", context)


@login_required
def decisions_csv(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_in_scope(request, slug)
    filters = LogFilterForm(request.GET or None)
    since, until = filters.bounds() if filters.is_valid() else (None, None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{organisation.slug}-decisions.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    export.write_csv(response, decision_log(organisation, since=since, until=until))
    return response


@login_required
def decision(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_in_scope(request, slug)
    entry = get_object_or_404(Decision.objects.for_log(), organisation=organisation, pk=pk)
    return _decision_page(request, organisation, entry, None)


def _decision_page(
    request: HttpRequest, organisation: Organisation, entry: Decision, form: ReviewForm | None
) -> HttpResponse:
    user, now = request_user(request), timezone.now()
    initial = {"reviewed_at": local_input(now)}
    context = {
        "organisation": organisation,
        "entry": entry,
        "snapshot": snapshot.read(entry.snapshot),
        "review": entry.review_state(now),
        "reviews": entry.reviews.select_related("reviewed_by"),
        "may_review": entry.corrected_by is None and may_review(user, entry),
        "review_form": form or ReviewForm(initial=initial),
        "can_record": can_record(user, organisation),
    }
    status = 400 if form is not None else 200
    return render(request, "decisions/decision.html", context, status=status)


@login_required
@require_POST
def decision_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Seed 000, Appendix 4: record the follow-up review, a new record linked to the decision."""
    organisation = organisation_in_scope(request, slug)
    entry = get_object_or_404(Decision.objects.for_log(), organisation=organisation, pk=pk)
    # Permission before validation: someone who may not review learns nothing from the form.
    if not may_review(request_user(request), entry):
        raise PermissionDenied(f"you may not review decision {entry.pk}")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            record_review(
                request_user(request),
                entry,
                outcome=form.cleaned_data["outcome"],
                reviewed_at=form.cleaned_data["reviewed_at"],
                now=timezone.now(),
            )
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"The review of decision {entry.pk} is on record.")
            return redirect("decision", slug=slug, pk=entry.pk)
    return _decision_page(request, organisation, entry, form)


@login_required
def decision_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_in_scope(request, slug, writing=True)
    user = request_user(request)
    now = timezone.now()
    initial = {"decided_by": describe_person(user, organisation), "decided_at": local_input(now)}
    people = person_choices(organisation)
    form = DecisionForm(request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            entry = record_decision(user, organisation, **form.decision_fields(), now=now)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"Decision {entry.pk} is on record.")
            return redirect("decision", slug=slug, pk=entry.pk)
    context = {"organisation": organisation, "form": form, "original": None}
    return render(request, "decisions/decision_form.html", context, status=_status(form))


@login_required
def decision_correct(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_in_scope(request, slug, writing=True)
    original = get_object_or_404(Decision, organisation=organisation, pk=pk)
    latest = latest_version(original)
    if latest != original:
        messages.info(
            request, f"Decision {pk} was corrected by decision {latest.pk}: correct that instead."
        )
        return redirect("decision-correct", slug=slug, pk=latest.pk)
    people = person_choices(organisation)
    form = CorrectionForm(request.POST or None, initial=decision_initial(original), people=people)
    if request.method == "POST" and form.is_valid():
        try:
            entry = record_decision(
                request_user(request),
                organisation,
                **form.decision_fields(),
                now=timezone.now(),
                corrects=original,
                correction_reason=form.cleaned_data["correction_reason"],
            )
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"Decision {entry.pk} corrects decision {original.pk}.")
            return redirect("decision", slug=slug, pk=entry.pk)
    context = {"organisation": organisation, "form": form, "original": original}
    return render(request, "decisions/decision_form.html", context, status=_status(form))


def _status(form: DecisionForm) -> int:
    """400 for a form sent back with problems, so scripts and tests can tell."""
    return 400 if form.is_bound else 200
