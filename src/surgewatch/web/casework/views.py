"""Casework pages. Counts are for anyone in the organisation; records are for the roles
the pack marks ``sees_patient_records`` in the record's area, and every record a page
shows is logged as read (issue 7, 'Security'). Views are thin: check scope, parse the
form, call the service, show its errors beside the fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.improvement.timers import CaseworkTimers, local_date
from surgewatch.web.accounts.models import User
from surgewatch.web.audit import capture
from surgewatch.web.casework import corrections, services
from surgewatch.web.casework.forms import (
    CareActForm,
    CloseForm,
    CorrectionForm,
    PlacementForm,
    ReviewForm,
    attach,
    correction_form,
)
from surgewatch.web.casework.models import Correction
from surgewatch.web.casework.selectors import (
    SHOWS,
    area_casework,
    organisation_counts,
    organisation_timers,
)
from surgewatch.web.orgs.models import Area, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.permissions import patient_record_areas, require_view


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required guarantees it
    return request.user


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.select_related("framework"), slug=slug)
    require_view(_user(request), organisation)
    return organisation


class NoTimersError(Exception):
    """The organisation's plan sets no casework timers: there is nothing to record."""


def _area(request: HttpRequest, slug: str, area_slug: str) -> tuple[Area, CaseworkTimers]:
    """The area, once the user may open its records, and the plan's timers."""
    organisation = _organisation(request, slug)
    area = get_object_or_404(organisation.areas.filter(active=True), slug=area_slug)
    services.require_patient_records(_user(request), area)
    timers = organisation_timers(organisation)
    if timers is None:
        raise NoTimersError(organisation.slug)
    return area, timers


def _timers_set(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer an organisation without timers with a page that says so (409 for a post)."""

    @wraps(view)
    def checked(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
        try:
            return view(request, slug, area_slug)
        except NoTimersError:
            organisation = _organisation(request, slug)
            context: dict[str, object] = {"organisation": organisation, "timers": None, "rows": []}
            status = 409 if request.method == "POST" else 200
            return render(request, "casework/summary.html", context, status=status)

    return checked


@login_required
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    timers = organisation_timers(organisation)
    openable = {a.pk for a in patient_record_areas(_user(request), organisation)}
    rows = []
    if timers is not None:
        areas = organisation.areas.filter(active=True).order_by("name")
        zone = pack_of(organisation.framework).schedule.timezone
        counts = organisation_counts(organisation, timers, local_date(timezone.now(), zone))
        rows = [(area, counts[area.pk], area.pk in openable) for area in areas]
    context = {"organisation": organisation, "timers": timers, "rows": rows}
    return render(request, "casework/summary.html", context)


@login_required
@_timers_set
def area(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    place, timers = _area(request, slug, area_slug)
    return _area_page(request, place, timers, None)


def _area_page(
    request: HttpRequest, place: Area, timers: CaseworkTimers, failed: CloseForm | None
) -> HttpResponse:
    show = request.GET.get("show", "all")
    show = show if show in SHOWS else "all"
    today = services.today_in(place, timezone.now())
    work = area_casework(place, timers, today, show)
    capture.viewed(work.records())  # issue 7: every view of patient-level records is logged
    context = {
        "organisation": place.organisation,
        "area": place,
        "timers": timers,
        "today": today,
        "work": work,
        "show": show,
        "shows": [(s, s.replace("_", " ").capitalize()) for s in SHOWS],
        "form": failed,
        **_failed(failed),
    }
    return render(request, "casework/area.html", context, status=400 if failed else 200)


def _failed(form: CloseForm | None) -> dict[str, object]:
    """Which row's close form was refused, so its error shows beside it."""
    if form is None:
        return {"failed_kind": "", "failed_record": None}
    record = str(form.data.get("record", ""))
    return {
        "failed_kind": form.data.get("kind", ""),
        "failed_record": int(record) if record.isdigit() else None,
    }


@login_required
@require_POST
@_timers_set
def close(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    place, timers = _area(request, slug, area_slug)
    form = CloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.close_record(
                _user(request), place, data["kind"], data["record"], data["on"], timezone.now()
            )
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"{record.reference} closed.")
            return redirect("casework-area", slug=slug, area_slug=area_slug)
    return _area_page(request, place, timers, form)


def _new(
    request: HttpRequest,
    slug: str,
    area_slug: str,
    form_class: type[forms.Form],
    save: Callable[[User, Area, dict[str, Any]], Any],
    what: str,
) -> HttpResponse:
    place, _ = _area(request, slug, area_slug)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = save(_user(request), place, form.cleaned_data)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"{what} {record.reference} recorded.")
            return redirect("casework-area", slug=slug, area_slug=area_slug)
    status = 400 if request.method == "POST" else 200
    context = {"organisation": place.organisation, "area": place, "form": form, "what": what}
    return render(request, "casework/record_form.html", context, status=status)


@login_required
@_timers_set
def placement_new(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    def save(user: User, place: Area, data: dict[str, Any]) -> Any:
        given = services.PlacementFields(
            data["reference"],
            data["provider"],
            data["provider_email"],
            data["started_on"],
            data["disregard_starts_on"],
        )
        return services.record_placement(user, place, given, timezone.now())

    return _new(request, slug, area_slug, PlacementForm, save, "Assessment bed placement")


@login_required
@_timers_set
def care_act_new(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    def save(user: User, place: Area, data: dict[str, Any]) -> Any:
        given = services.CaseFields(data["reference"], data["starts_on"])
        return services.record_care_act_assessment(user, place, given, timezone.now())

    return _new(request, slug, area_slug, CareActForm, save, "Care Act assessment")


@login_required
@_timers_set
def review_new(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    def save(user: User, place: Area, data: dict[str, Any]) -> Any:
        given = services.CaseFields(data["reference"], data["starts_on"], data["kind"])
        return services.record_review(user, place, given, timezone.now())

    return _new(request, slug, area_slug, ReviewForm, save, "Review")


@login_required
@_timers_set
def record(request: HttpRequest, slug: str, area_slug: str) -> HttpResponse:
    """One record with its corrections (GET ``?kind=...&record=...``), and a correction
    of it (POST). No record named: back to the area's list; one not in this area: 404."""
    place, _ = _area(request, slug, area_slug)
    sent = request.POST if request.method == "POST" else request.GET
    kind, given = str(sent.get("kind", "")), str(sent.get("record", ""))
    if not given:
        return redirect("casework-area", slug=slug, area_slug=area_slug)
    found = corrections.find_record(place, kind, int(given) if given.isdigit() else None)
    if found is None:
        raise Http404("no such record in this area")
    fields = corrections.CORRECTABLE[kind][1]
    form = correction_form(kind, fields, found, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _correct(request, place, kind, found.pk, fields, form)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, f"{found.reference} corrected.")
            return redirect(_record_url(slug, area_slug, kind, found.pk))
    return _record_page(request, place, kind, found, form)


def _correct(
    request: HttpRequest,
    place: Area,
    kind: str,
    record_id: int,
    fields: tuple[str, ...],
    form: CorrectionForm,
) -> None:
    data = form.cleaned_data
    given = {name: data.get(name) for name in fields}
    user, now = _user(request), timezone.now()
    corrections.correct_record(user, place, kind, record_id, given, data["reason"], now)


def _record_url(slug: str, area_slug: str, kind: str, record_id: int) -> str:
    address = reverse("casework-record", kwargs={"slug": slug, "area_slug": area_slug})
    return f"{address}?kind={kind}&record={record_id}"


def _record_page(
    request: HttpRequest,
    place: Area,
    kind: str,
    found: corrections.CaseworkRecord,
    form: CorrectionForm,
) -> HttpResponse:
    history = list(Correction.objects.of(found))
    capture.viewed([found, *history])  # issue 7: every view of patient-level records is logged
    correctable = corrections.CORRECTABLE[kind][1]
    labels = {name: str(form.fields[name].label) for name in correctable}
    context = {
        "organisation": place.organisation,
        "area": place,
        "kind": kind,
        "what": corrections.KIND_NAMES[kind],
        "record": found,
        "values": [(labels[name], getattr(found, name)) for name in correctable],
        "history": [
            (
                c,
                labels.get(c.field, c.field),
                _shown(c.field, c.old_value),
                _shown(c.field, c.new_value),
            )
            for c in history
        ],
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "casework/record.html", context, status=status)


def _shown(field: str, value: str) -> str:
    """A stored value as the page shows it: dates as '2 Jan 2026', the rest as typed."""
    if not field.endswith("_on"):
        return value
    try:
        return f"{date.fromisoformat(value):%-d %b %Y}"
    except ValueError:
        return value
